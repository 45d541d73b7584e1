import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SharedStateMessage, StateStore, FlushRequest } from '../../src/store/state-store.js';
import { eventually } from './redis-harness.js';

/**
 * One fleet under test: `connect()` gives a new client (a separate connection for Redis) of the
 * same shared state, as another instance of the fleet would have. `cleanup` closes everything.
 */
export interface FleetFixture {
  connect(): Promise<StateStore>;
  cleanup(): Promise<void>;
}

const RULES: Omit<FlushRequest, 'calls' | 'failures' | 'slowCalls'> = {
  windowMs: 60_000,
  windowBuckets: 10,
  minimumCalls: 10,
  failureRateThreshold: 0.5,
  slowCallRateThreshold: 0,
  openMs: 30_000,
};

/** The conformance suite every StateStore must pass (MemoryStore, RedisStore, RedisStore on Cluster). */
export function storeSuite(label: string, makeFleet: () => Promise<FleetFixture>): void {
  describe(`StateStore conformance: ${label}`, () => {
    let fleet: FleetFixture;
    let a: StateStore;
    let b: StateStore;
    beforeEach(async () => {
      fleet = await makeFleet();
      a = await fleet.connect();
      b = await fleet.connect();
    });
    afterEach(async () => {
      await fleet.cleanup();
    });

    it('reads an unknown breaker as closed at epoch 0 without creating it', async () => {
      expect(await a.read('api.example.com')).toEqual({
        state: 'closed',
        epoch: 0,
        openRemainingMs: 0,
      });
      expect((await b.read('api.example.com'))?.epoch).toBe(0);
    });

    it('commits a transition only on the expected epoch and returns the winner otherwise', async () => {
      const first = await a.transition('h', {
        expectedEpoch: 0,
        state: 'forced_open',
        reason: 'forced_open',
      });
      expect(first).toMatchObject({ committed: true, current: { state: 'forced_open', epoch: 1 } });
      const stale = await b.transition('h', { expectedEpoch: 0, state: 'closed', reason: 'reset' });
      expect(stale).toMatchObject({
        committed: false,
        current: { state: 'forced_open', epoch: 1 },
      });
      const next = await b.transition('h', { expectedEpoch: 1, state: 'closed', reason: 'reset' });
      expect(next).toMatchObject({ committed: true, current: { state: 'closed', epoch: 2 } });
    });

    it('lists the breakers it has a record of and totals their shared window', async () => {
      expect(await a.listNames()).toEqual([]);
      expect(await a.windowTotals('w')).toEqual({ calls: 0, failures: 0 });
      await a.flush('w', { ...RULES, calls: 4, failures: 1, slowCalls: 0 });
      await b.flush('w', { ...RULES, calls: 2, failures: 2, slowCalls: 1 });
      await a.transition('t', { expectedEpoch: 0, state: 'forced_open', reason: 'forced_open' });
      // A probe permit alone is no record of a breaker.
      expect(await a.acquirePermit('p', 1, 10_000)).not.toBeNull();
      expect(await b.listNames()).toEqual(['t', 'w']);
      expect(await b.windowTotals('w')).toEqual({ calls: 6, failures: 3 });
      // A committed transition starts the window over.
      await a.transition('w', { expectedEpoch: 0, state: 'forced_open', reason: 'forced_open' });
      expect(await b.windowTotals('w')).toEqual({ calls: 0, failures: 0 });
      expect(await a.listNames()).toEqual(['t', 'w']);
    });

    it('lets exactly one of many concurrent compare-and-sets on one epoch win', async () => {
      const more = [a, b, await fleet.connect(), await fleet.connect()];
      const results = await Promise.all(
        more.flatMap((s) =>
          [0, 1, 2].map(() =>
            s.transition('race', {
              expectedEpoch: 0,
              state: 'open',
              openMs: 1000,
              reason: 'retry_after',
            }),
          ),
        ),
      );
      expect(results.filter((r) => r?.committed).length).toBe(1);
      expect(results.every((r) => r?.current.epoch === 1)).toBe(true);
    });

    it('keeps an open state for the requested time, measured by the store clock', async () => {
      await a.transition('o', {
        expectedEpoch: 0,
        state: 'open',
        openMs: 60_000,
        reason: 'retry_after',
      });
      const seen = await b.read('o');
      expect(seen?.state).toBe('open');
      expect(seen?.openRemainingMs).toBeGreaterThan(0);
      expect(seen?.openRemainingMs).toBeLessThanOrEqual(60_000);
    });

    it('publishes committed transitions to other instances, and nothing for a refused one', async () => {
      const got: SharedStateMessage[] = [];
      b.subscribe((m) => got.push(m));
      b.watch('pub');
      // Subscribing is asynchronous on Redis: commit until the subscriber demonstrably hears.
      let epoch = 0;
      await eventually(async () => {
        const r = await a.transition('pub', {
          expectedEpoch: epoch,
          state: epoch % 2 === 0 ? 'forced_open' : 'closed',
          reason: 'x',
        });
        epoch = r!.current.epoch;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return got.length > 0;
      }, 'subscriber receives a transition');
      const before = got.length;
      const refused = await a.transition('pub', {
        expectedEpoch: 0,
        state: 'disabled',
        reason: 'x',
      });
      expect(refused?.committed).toBe(false);
      const ok = await a.transition('pub', {
        expectedEpoch: epoch,
        state: 'disabled',
        reason: 'disabled',
      });
      expect(ok?.committed).toBe(true);
      await eventually(() => got.some((m) => m.state === 'disabled'), 'disabled message');
      const after = got.slice(before);
      expect(after.map((m) => m.state)).toEqual(['disabled']);
      expect(after[0]).toMatchObject({ name: 'pub', epoch: epoch + 1, reason: 'disabled' });
    });

    it('trips on fleet-wide counts with minimumCalls although no instance alone has enough calls', async () => {
      const r1 = await a.flush('fleet', { ...RULES, calls: 6, failures: 6, slowCalls: 0 });
      expect(r1).toMatchObject({
        tripped: false,
        calls: 6,
        failures: 6,
        current: { state: 'closed', epoch: 0 },
      });
      const r2 = await b.flush('fleet', { ...RULES, calls: 6, failures: 6, slowCalls: 0 });
      expect(r2).toMatchObject({
        tripped: true,
        calls: 12,
        failures: 12,
        current: { state: 'open', epoch: 1 },
      });
      expect((await a.read('fleet'))?.state).toBe('open');
      // Already open: more failures change nothing (no second trip, no new epoch).
      const r3 = await a.flush('fleet', { ...RULES, calls: 5, failures: 5, slowCalls: 0 });
      expect(r3).toMatchObject({ tripped: false, current: { state: 'open', epoch: 1 } });
    });

    it('does not trip the fleet for one instance whose own calls fail while the fleet is healthy', async () => {
      await a.flush('local', { ...RULES, calls: 40, failures: 0, slowCalls: 0 });
      const r = await b.flush('local', { ...RULES, calls: 10, failures: 10, slowCalls: 0 });
      expect(r).toMatchObject({
        tripped: false,
        calls: 50,
        failures: 10,
        current: { state: 'closed' },
      });
    });

    it('trips on the fleet-wide slow-call rate', async () => {
      const r = await a.flush('slow', {
        ...RULES,
        slowCallRateThreshold: 0.8,
        calls: 10,
        failures: 0,
        slowCalls: 9,
      });
      expect(r).toMatchObject({
        tripped: true,
        current: { state: 'open', reason: 'fleet_slow_call_rate' },
      });
    });

    it('starts a fresh window after a transition', async () => {
      await a.flush('fresh', { ...RULES, calls: 8, failures: 8, slowCalls: 0 });
      await a.transition('fresh', { expectedEpoch: 0, state: 'closed', reason: 'reset' });
      const r = await b.flush('fresh', { ...RULES, calls: 2, failures: 2, slowCalls: 0 });
      expect(r).toMatchObject({ tripped: false, calls: 2 });
    });

    it('hands out at most halfOpenMaxCalls probe permits; release frees only its own', async () => {
      const t1 = await a.acquirePermit('p', 2, 30_000);
      const t2 = await b.acquirePermit('p', 2, 30_000);
      expect(t1).toBeTypeOf('string');
      expect(t2).toBeTypeOf('string');
      expect(await a.acquirePermit('p', 2, 30_000)).toBeNull();
      await a.releasePermit('p', 'someone-elses-token');
      expect(await a.permitCount('p')).toBe(2);
      await a.releasePermit('p', t1!);
      expect(await b.permitCount('p')).toBe(1);
      expect(await b.acquirePermit('p', 2, 30_000)).toBeTypeOf('string');
    });

    it('frees the permit of a holder that never releases it once it expires', async () => {
      expect(await a.acquirePermit('crash', 1, 1)).toBeTypeOf('string');
      await eventually(async () => (await b.permitCount('crash')) === 0, 'permit expiry');
      expect(await b.acquirePermit('crash', 1, 30_000)).toBeTypeOf('string');
    });

    it('clears held permits on every committed transition', async () => {
      await a.acquirePermit('pc', 1, 30_000);
      await a.transition('pc', { expectedEpoch: 0, state: 'closed', reason: 'probe_succeeded' });
      expect(await b.permitCount('pc')).toBe(0);
    });

    it('admits exactly halfOpenMaxCalls among many concurrent acquisitions from several instances', async () => {
      const stores = [a, b, await fleet.connect(), await fleet.connect(), await fleet.connect()];
      const tokens = await Promise.all(
        stores.flatMap((s) => Array.from({ length: 20 }, () => s.acquirePermit('herd', 3, 30_000))),
      );
      expect(tokens.filter((t) => t !== null).length).toBe(3);
      expect(await a.permitCount('herd')).toBe(3);
    });

    it('shows an open circuit to a new instance, which cannot reset it by starting', async () => {
      await a.transition('running', {
        expectedEpoch: 0,
        state: 'open',
        openMs: 60_000,
        reason: 'retry_after',
      });
      const late = await fleet.connect();
      const seen = await late.read('running');
      expect(seen).toMatchObject({ state: 'open', epoch: 1 });
      // A starting instance only ever proposes from epoch 0 when nothing is stored: refused here.
      const attempt = await late.transition('running', {
        expectedEpoch: 0,
        state: 'closed',
        reason: 'reset',
      });
      expect(attempt).toMatchObject({ committed: false, current: { state: 'open', epoch: 1 } });
      expect((await a.read('running'))?.state).toBe('open');
    });

    it('reports every breaker at the first look, then only the ones changed since the last committed look', async () => {
      await a.transition('before', { expectedEpoch: 0, state: 'forced_open', reason: 'x' });
      const first = await b.changes();
      expect(first?.changed('before')).toBe(true);
      expect(first?.changed('never-seen')).toBe(true);
      first!.commit();
      const quiet = await b.changes();
      expect(quiet?.changed('before')).toBe(false);
      expect(quiet?.changed('never-seen')).toBe(false);
      await a.transition('later', { expectedEpoch: 0, state: 'disabled', reason: 'x' });
      await a.flush('tripped', { ...RULES, calls: 20, failures: 20, slowCalls: 0 });
      const next = await b.changes();
      expect(next?.changed('later')).toBe(true);
      expect(next?.changed('tripped')).toBe(true);
      expect(next?.changed('before')).toBe(false);
      // Not committed (say a read failed): the same changes are reported again.
      const again = await b.changes();
      expect(again?.changed('later')).toBe(true);
      again!.commit();
      const after = await b.changes();
      expect(['before', 'later', 'tripped'].some((n) => after!.changed(n))).toBe(false);
    });

    it('reports nothing for flushes that do not trip, refused transitions or permits', async () => {
      (await b.changes())!.commit();
      await a.flush('calm', { ...RULES, calls: 30, failures: 1, slowCalls: 0 });
      await a.transition('calm', { expectedEpoch: 7, state: 'open', openMs: 10, reason: 'x' });
      await a.acquirePermit('calm', 1, 30_000);
      expect((await b.changes())?.changed('calm')).toBe(false);
    });

    it('reports its health', () => {
      expect(a.health()).toEqual({ available: true, errors: 0, store: a.kind });
    });
  });
}
