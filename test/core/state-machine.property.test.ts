import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, ManualClock, resolvePolicy } from '../../src/index.js';
import type { BreakerStateName, Permit } from '../../src/index.js';

/**
 * A deliberately naive reference model of the state machine (consecutive-failure rule, backoff,
 * half-open budget, probe timeout, manual states), checked against the real breaker on random
 * sequences of calls, outcomes and clock moves.
 */
const F = 3; // failureThreshold
const OPEN_MS = 1_000;
const MULT = 2;
const MAX_OPEN_MS = 5_000;
const HALF_OPEN_MAX = 2;
const SUCCESSES = 2;
const CALL_TIMEOUT_MS = 700;

class Model {
  state: BreakerStateName = 'closed';
  consecutive = 0;
  now = 0;
  openUntil = 0;
  reopen = 0;
  successes = 0;
  inFlight = new Map<number, number>(); // probe id → admitted at
  epoch = 0;

  private go(to: BreakerStateName) {
    this.state = to;
    this.epoch++;
    if (to === 'closed') {
      this.consecutive = 0;
      this.reopen = 0;
    }
    if (to === 'half_open') {
      this.inFlight = new Map();
      this.successes = 0;
    }
  }
  constructor(private readonly onOpen: (reopen: number) => void) {}

  private open(reopen: number) {
    this.onOpen(reopen);
    this.reopen = reopen;
    this.openUntil = this.now + Math.min(OPEN_MS * MULT ** reopen, MAX_OPEN_MS);
    this.go('open');
  }
  refresh() {
    if (this.state === 'open' && this.now >= this.openUntil) this.go('half_open');
    if (this.state === 'half_open') {
      for (const at of this.inFlight.values()) {
        if (this.now - at >= CALL_TIMEOUT_MS) {
          this.open(this.reopen + 1);
          break;
        }
      }
    }
  }
  /** Returns a ticket: {kind:'closed', epoch} or {kind:'probe', id} or null. */
  admit(
    id: number,
  ): { kind: 'closed'; epoch: number } | { kind: 'probe'; id: number } | { kind: 'pass' } | null {
    this.refresh();
    if (this.state === 'closed') return { kind: 'closed', epoch: this.epoch };
    if (this.state === 'disabled') return { kind: 'pass' };
    if (this.state === 'half_open' && this.inFlight.size < HALF_OPEN_MAX) {
      this.inFlight.set(id, this.now);
      return { kind: 'probe', id };
    }
    return null;
  }
  settle(ticket: NonNullable<ReturnType<Model['admit']>>, success: boolean) {
    if (ticket.kind === 'pass') return;
    if (ticket.kind === 'closed') {
      if (ticket.epoch !== this.epoch || this.state !== 'closed') return;
      if (success) this.consecutive = 0;
      else if (++this.consecutive >= F) this.open(0);
      return;
    }
    if (this.state !== 'half_open' || !this.inFlight.delete(ticket.id)) return;
    if (!success) return this.open(this.reopen + 1);
    if (++this.successes >= SUCCESSES) this.go('closed');
  }
  manual(to: 'forced_open' | 'disabled' | 'closed') {
    this.refresh();
    if (this.state !== to) this.go(to);
  }
}

type Command =
  | { t: 'call'; success: boolean; times: number }
  | { t: 'hold' }
  | { t: 'settle'; index: number; success: boolean }
  | { t: 'advance'; ms: number }
  | { t: 'manual'; to: 'forced_open' | 'disabled' | 'closed' };

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      t: fc.constant('call' as const),
      success: fc.boolean(),
      times: fc.integer({ min: 1, max: 4 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('hold' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('settle' as const),
      index: fc.nat(10),
      success: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      // Exact boundaries matter (>= vs >), so they are drawn often, besides any value.
      ms: fc.oneof(
        fc.integer({ min: 0, max: 3_000 }),
        fc.constantFrom(1, CALL_TIMEOUT_MS, OPEN_MS, 2 * OPEN_MS, 4 * OPEN_MS),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('manual' as const),
      to: fc.constantFrom('forced_open', 'disabled', 'closed', 'closed'),
    }),
  },
);

describe('state machine against a reference model', () => {
  it('agrees on state and on every admission decision', () => {
    const reached = new Set<string>();
    fc.assert(
      fc.property(fc.array(command, { maxLength: 200 }), (commands) => {
        const clock = new ManualClock();
        const breaker = new CircuitBreaker({
          name: 'model',
          clock,
          random: () => 0,
          policy: resolvePolicy({
            failureThreshold: F,
            failureRateThreshold: 0,
            slowCallRateThreshold: 0,
            openSeconds: OPEN_MS / 1000,
            backoffMultiplier: MULT,
            maxOpenSeconds: MAX_OPEN_MS / 1000,
            jitterRatio: 0,
            halfOpenMaxCalls: HALF_OPEN_MAX,
            successThreshold: SUCCESSES,
            callTimeoutMs: CALL_TIMEOUT_MS,
          }),
        });
        const model = new Model((n) => reached.add(`reopen${n}`));
        const held: Array<{ permit: Permit; ticket: NonNullable<ReturnType<Model['admit']>> }> = [];
        let nextId = 1;
        for (const c of commands) {
          switch (c.t) {
            case 'call':
            case 'hold': {
              for (let i = 0; i < (c.t === 'call' ? c.times : 1); i++) {
                const id = nextId++;
                const ticket = model.admit(id);
                const permit = breaker.canRequest();
                expect(permit === null).toBe(ticket === null);
                if (permit === null || ticket === null) continue;
                if (c.t === 'hold') held.push({ permit, ticket });
                else {
                  model.settle(ticket, c.success);
                  if (c.success) permit.recordSuccess(0);
                  else permit.recordFailure(new Error('x'));
                }
              }
              break;
            }
            case 'settle': {
              if (held.length === 0) break;
              const [h] = held.splice(c.index % held.length, 1);
              model.refresh();
              model.settle(h!.ticket, c.success);
              if (c.success) h!.permit.recordSuccess(0);
              else h!.permit.recordFailure(new Error('x'));
              break;
            }
            case 'advance':
              clock.advance(c.ms);
              model.now += c.ms;
              break;
            case 'manual':
              model.manual(c.to);
              if (c.to === 'forced_open') breaker.forceOpen();
              else if (c.to === 'disabled') breaker.disable();
              else breaker.reset();
              break;
          }
          model.refresh();
          expect(breaker.currentState).toBe(model.state);
          expect(breaker.epoch).toBe(model.epoch);
        }
      }),
      {
        numRuns: Number(process.env.FC_RUNS ?? 1000),
        // A known path through three re-opens and back, on top of the random ones.
        examples: [
          [
            [
              { t: 'call', success: false, times: 3 },
              { t: 'advance', ms: OPEN_MS },
              { t: 'call', success: false, times: 1 },
              { t: 'advance', ms: 2 * OPEN_MS },
              { t: 'call', success: false, times: 1 },
              { t: 'advance', ms: 4 * OPEN_MS },
              { t: 'hold' },
              { t: 'call', success: true, times: 2 },
              { t: 'advance', ms: CALL_TIMEOUT_MS },
              { t: 'call', success: true, times: 1 },
            ],
          ],
        ],
      },
    );
    // The generator must reach the interesting corners, or the check proves little.
    expect([...reached]).toEqual(expect.arrayContaining(['reopen0', 'reopen1', 'reopen2']));
  });
});
