import type { Transition, TransitionListener } from './transition.js';

/** Where a breaker's transitions go: to its store, unless it came from there. */
export interface TransitionAnnouncer {
  announce(transition: Transition): void;
}

/**
 * Who hears a breaker's transitions, in order: its listeners, then (for a transition made here)
 * its shared store. Called synchronously, inside the call that caused the transition.
 */
export class TransitionFanout {
  private listeners: TransitionListener[] | undefined = undefined;

  constructor(private readonly store: TransitionAnnouncer) {}

  /** Returns the function that removes `listener` again. */
  add(listener: TransitionListener): () => void {
    (this.listeners ??= []).push(listener);
    return () => {
      this.listeners = this.listeners?.filter((l) => l !== listener);
    };
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
    if (local) this.store.announce(transition);
  }
}
