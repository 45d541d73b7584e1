import type { BreakerCounters } from '../../src/core/call-ledger.js';
import {
  disableHttpTransport,
  enableHttpTransport,
} from '../../src/transport/http/http-transport.js';
import {
  rule,
  transportFixture,
  type TransportFixture,
} from '../transport/support/transport-fixture.js';

export type HookMode = 'observe' | 'enforce';
export type Mode = 'without hook' | HookMode;
export const MODES: readonly Mode[] = ['without hook', 'observe', 'enforce'];

/** Every loopback port is protected: the breaker's name is the host. */
const HOST = '127.0.0.1';

const fixtures: Record<HookMode, TransportFixture> = {
  // Observe trips at the first failure, so later cases run against an open circuit it lets through.
  observe: transportFixture([rule(HOST, { mode: 'observe', failureThreshold: 1 })]),
  // Enforce with every rule off: it decides and records every call but never rejects one.
  enforce: transportFixture([
    rule(HOST, {
      failureThreshold: 0,
      failureRateThreshold: 0,
      slowCallRateThreshold: 0,
      honorRetryAfter: false,
    }),
  ]),
};

/** Puts the process in `mode`: the http hook off, or on with that mode's rules. */
export function enterMode(mode: Mode): void {
  if (mode === 'without hook') disableHttpTransport();
  else enableHttpTransport(fixtures[mode].resolve);
}

/** The calls the breaker of `mode` decided so far (0 without the hook). */
export function decidedCalls(mode: Mode): { decided: number; rejected: number } {
  if (mode === 'without hook') return { decided: 0, rejected: 0 };
  const c: BreakerCounters = fixtures[mode].breaker(HOST).counters;
  return { decided: c.successes + c.failures + c.ignored + c.rejected, rejected: c.rejected };
}
