import { announceLocal, trackLinked, type StoreLink } from './shared-state-link.js';
import type { Transition, TransitionListener } from './transition.js';

/** What the state machine tells about each transition it makes or applies. */
export interface TransitionSink {
  emit(transition: Transition, local: boolean): void;
}

/**
 * Who hears a breaker's transitions, in order: its listeners, then (for a transition made here)
 * its shared store. Called synchronously, inside the call that caused the transition; a listener's
 * or the store's bug never breaks that call. `B` is the breaker, as the store sees it.
 */
export class TransitionFanout<B> implements TransitionSink {
  private listeners: TransitionListener[] | undefined = undefined;
  /** The shared store, if any; also asked for probe leases (see requestProbeLease). */
  link: StoreLink<B> | undefined = undefined;

  constructor(private readonly breaker: B) {}

  /** Returns the function that removes `listener` again. */
  add(listener: TransitionListener): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      this.listeners = this.listeners?.filter((l) => l !== listener);
    };
  }

  setLink(link: StoreLink<B> | undefined): void {
    this.link = link;
    if (link !== undefined) trackLinked(link, this.breaker);
  }

  emit(transition: Transition, local: boolean): void {
    if (this.listeners !== undefined) {
      for (const listener of this.listeners) {
        try {
          listener(transition);
        } catch {
          // A listener's bug must never break the call that caused the transition.
        }
      }
    }
    if (local && this.link !== undefined) announceLocal(this.link, this.breaker, transition);
  }
}
