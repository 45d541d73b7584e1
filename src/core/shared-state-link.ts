import { ProbePermit, type Permit } from './permit.js';
import type { Transition } from './transition.js';

/** A fleet-wide half-open probe permit, released exactly once when the probe settles or expires. */
export interface ProbeLease {
  release(): void;
}

/**
 * The seam a shared store plugs into (see src/store). The breaker tells it about every local
 * transition; the store applies transitions made by other instances through the breaker's
 * `applyRemote`. `B` is the breaker: breaker.ts names this `SharedStateLink` with its own class, so
 * this file stays below the breaker and imports nothing of it.
 */
export interface StoreLink<B> {
  onLocalTransition(breaker: B, transition: Transition): void;
  /** Called once when a breaker is linked, so the store can pull its fleet state before the first call. */
  track?(breaker: B): void;
  /**
   * Asked before a half-open probe runs (after the local budget admitted it). `null` means no
   * fleet permit: the call is rejected. Must settle within the store's own timeout and never reject.
   * Only `execute()`/`wrap()`, `tryAcquire()` and the transports use it; sync `canRequest()` keeps the local budget.
   */
  acquireProbe?(breaker: B): Promise<ProbeLease | null> | ProbeLease | null;
}

// The breaker's end of the seam. Every call into the store is guarded: the store counts its own
// errors, and a store's bug must never reach the call, which goes on with local state.

export function trackLinked<B>(link: StoreLink<B>, breaker: B): void {
  try {
    link.track?.(breaker);
  } catch {
    // Counted by the store; the breaker works on local state meanwhile.
  }
}

/** Tells the store about a transition made here (never about one it applied itself). */
export function announceLocal<B>(link: StoreLink<B>, breaker: B, transition: Transition): void {
  try {
    link.onLocalTransition(breaker, transition);
  } catch {
    // Counted by the store; the call goes on with local state.
  }
}

/**
 * Asks the store for a fleet-wide probe permit. `undefined` when there is no store or it keeps no
 * fleet budget (the local one decides alone); `null` when it refused or failed.
 */
export function requestProbeLease<B>(
  link: StoreLink<B> | undefined,
  breaker: B,
): Promise<ProbeLease | null> | ProbeLease | null | undefined {
  const gate = link?.acquireProbe;
  if (gate === undefined) return undefined;
  try {
    return gate.call(link, breaker);
  } catch {
    return null;
  }
}

/** What `admitWithProbeLease` asks of a breaker's state machine. */
interface ProbeAdmission {
  admit(): Permit | null;
  keepProbe(permit: ProbePermit, lease: ProbeLease | null): Permit | null;
}

/**
 * An admission in any state but closed: a half-open probe the local budget admitted is kept only
 * with the store's fleet-wide lease, when the store keeps a fleet budget (a promise while it asks).
 */
export function admitWithProbeLease<B>(
  machine: ProbeAdmission,
  link: StoreLink<B> | undefined,
  breaker: B,
): Permit | null | Promise<Permit | null> {
  const permit = machine.admit();
  if (!(permit instanceof ProbePermit)) return permit;
  const lease = requestProbeLease(link, breaker);
  if (lease === undefined) return permit;
  if (!isPromiseLike(lease)) return machine.keepProbe(permit, lease);
  return lease.then(
    (l) => machine.keepProbe(permit, l),
    () => machine.keepProbe(permit, null),
  );
}

/** A promise, or any thenable (a store of another library may answer with one). */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
