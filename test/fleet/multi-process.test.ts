// Multi-process fleet tests (shared trips, fleet-wide probes, fleet control): every instance is its own Node process
// under `--require otel-circuit-breaker/register`, calling a flaky loopback upstream with plain
// fetch, sharing breaker state through the shared Redis under a key prefix of its own.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { freePort, SHARED_REDIS_URL, uniquePrefix, eventually } from '../store/redis-harness.js';
import { FlakyUpstream, FleetMember, fleetEnv, type MemberMessage } from './fleet-harness.js';

type Outcome = { outcome: string };

/** Rate rule only (no local consecutive-failure trip), so the fleet-wide window decides. */
const RATE_RULE = {
  CIRCUIT_BREAKER_FAILURE_THRESHOLD: '0',
  CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD: '0.5',
  CIRCUIT_BREAKER_MINIMUM_CALLS: '5',
  CIRCUIT_BREAKER_OPEN_SECONDS: '30',
};

describe('a fleet of app processes sharing Redis', () => {
  let upstream: FlakyUpstream;
  let keyPrefix: string;
  let store: RedisStore;
  const members: FleetMember[] = [];

  async function member(name: string, extra: Record<string, string> = {}): Promise<FleetMember> {
    const m = await FleetMember.start(name, fleetEnv(upstream, SHARED_REDIS_URL, keyPrefix, extra));
    members.push(m);
    return m;
  }

  /** Waits until the member's breaker applied a fleet state (`remote`) of `to`. */
  function remoteTo(m: FleetMember, to: string, from = 0): Promise<MemberMessage> {
    return m.waitFor(
      (msg) => msg.type === 'transition' && msg.reason === 'remote' && msg.to === to,
      `remote ${to}`,
      10_000,
      from,
    );
  }

  beforeAll(async () => {
    upstream = await FlakyUpstream.start();
  });
  afterAll(async () => {
    await upstream.close();
  });
  afterEach(async () => {
    // Every member must leave cleanly: exit code 0 means no unhandled rejection (strict mode).
    const codes = await Promise.all(members.splice(0).map((m) => m.exit()));
    await store?.close();
    expect(codes.every((c) => c === 0)).toBe(true);
    upstream.counts.clear();
    upstream.set('ok');
  });

  async function freshStore(): Promise<RedisStore> {
    keyPrefix = uniquePrefix('fleet');
    store = new RedisStore({ url: SHARED_REDIS_URL, keyPrefix, connectionName: 'fleet-test' });
    await store.whenReady();
    return store;
  }

  it('(a) A trips a host on its own failures; B rejects it without sending, having learned it from the store', async () => {
    await freshStore();
    const a = await member('A', RATE_RULE);
    const b = await member('B', RATE_RULE);
    upstream.set('fail', 'A');
    const fromB = b.messages.length;
    const calls = await a.request({ op: 'call', n: 8 });
    const outcomes = calls.outcomes as Outcome[];
    // A saw failures, then its own rejections once the fleet (its window) opened.
    expect(outcomes.slice(0, 5).every((o) => o.outcome === 'upstream')).toBe(true);
    expect(outcomes.at(-1)!.outcome).toBe('rejected');
    const learned = await remoteTo(b, 'open', fromB);
    expect(learned.name).toBe(upstream.host);

    const sentByB = upstream.requests('B');
    const r = await b.request({ op: 'call', n: 3 });
    expect((r.outcomes as Outcome[]).map((o) => o.outcome)).toEqual([
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(upstream.requests('B')).toBe(sentByB); // nothing left B
    expect(sentByB).toBe(0); // and B never failed on its own: it knew from the store
    const fleet = await store.read(upstream.host);
    expect(fleet).toMatchObject({ state: 'open', reason: 'fleet_failure_rate' });
  });

  it('(b) three processes in half-open admit exactly halfOpenMaxCalls probes in total', async () => {
    await freshStore();
    const probeRule = {
      CIRCUIT_BREAKER_FAILURE_THRESHOLD: '0',
      CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS: '2',
      CIRCUIT_BREAKER_SUCCESS_THRESHOLD: '2',
      CIRCUIT_BREAKER_CALL_TIMEOUT_MS: '20000',
    };
    const ms = [
      await member('P1', probeRule),
      await member('P2', probeRule),
      await member('P3', probeRule),
    ];
    const marks = ms.map((m) => m.messages.length);
    // The fleet circuit opens for 1.5 s (as a fleet-wide trip would); every member applies it.
    const opened = await store.transition(upstream.host, {
      expectedEpoch: 0,
      state: 'open',
      openMs: 1500,
      reason: 'fleet_failure_rate',
    });
    expect(opened?.committed).toBe(true);
    await Promise.all(ms.map((m, i) => remoteTo(m, 'open', marks[i])));
    // Once the open time is over every member is half-open locally and would admit 2 probes alone.
    await eventually(
      async () => {
        for (const m of ms) m.send({ op: 'state' });
        await new Promise((r) => setTimeout(r, 100));
        const states = ms.map((m) => m.messages.filter((x) => x.type === 'state').at(-1)?.state);
        return states.every((s) => s === 'half_open');
      },
      'all half-open',
      10_000,
    );
    upstream.set('hold');
    const bursts = ms.map((m) => m.send({ op: 'burst', n: 5 }));
    const outcomesSoFar = () =>
      ms.reduce(
        (n, m, i) =>
          n + m.messages.filter((x) => x.type === 'outcome' && x.id === bursts[i]).length,
        0,
      );
    // 15 calls: each either reached the upstream (held there) or was rejected at once.
    await eventually(
      () => upstream.heldCount + outcomesSoFar() === 15,
      'every call admitted or rejected',
    );
    expect(upstream.heldCount).toBe(2);
    expect(upstream.requests()).toBe(2);
    upstream.release(200);
    const done = await Promise.all(
      ms.map((m, i) => m.waitFor((x) => x.type === 'calls' && x.id === bursts[i], 'burst done')),
    );
    const all = done.flatMap((d) => d.outcomes as Outcome[]);
    expect(all.filter((o) => o.outcome === 'ok')).toHaveLength(2);
    expect(all.filter((o) => o.outcome === 'rejected')).toHaveLength(13);
    // The two probes closed the circuit for the whole fleet.
    await eventually(
      async () => (await store.read(upstream.host))?.state === 'closed',
      'fleet closed',
    );
  });

  it('(d) a new instance starting while the circuit is open sees it open and does not reset it', async () => {
    await freshStore();
    const a = await member('A', RATE_RULE);
    upstream.set('fail');
    await a.request({ op: 'call', n: 6 });
    await eventually(async () => (await store.read(upstream.host))?.state === 'open', 'fleet open');
    const before = (await store.read(upstream.host))!;

    const c = await member('C', RATE_RULE);
    // C pulls the fleet state of its configured host as soon as Redis answers.
    await remoteTo(c, 'open');
    const first = await c.request({ op: 'call', n: 1 });
    expect((first.outcomes as Outcome[])[0]!.outcome).toBe('rejected');
    expect(upstream.requests('C')).toBe(0);
    // Starting did not write anything: same epoch, still open, committed by A's trip.
    const after = (await store.read(upstream.host))!;
    expect(after).toMatchObject({ state: 'open', epoch: before.epoch, origin: before.origin });
  });

  it('admin endpoint: POST /circuit-breakers/:name/open on A forces the circuit open on B too', async () => {
    await freshStore();
    const token = 'fleet-admin-token-0123456789';
    const port = await freePort();
    const a = await member('A', {
      CIRCUIT_BREAKER_ADMIN_PORT: String(port),
      CIRCUIT_BREAKER_ADMIN_TOKEN: token,
    });
    const b = await member('B');
    expect((await b.request({ op: 'call', n: 2 })).outcomes).toMatchObject([
      { outcome: 'ok' },
      { outcome: 'ok' },
    ]);
    const fromB = b.messages.length;
    const base = `http://127.0.0.1:${port}/circuit-breakers/${encodeURIComponent(upstream.host)}`;
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.ok === true,
      'admin up',
    );

    const denied = await fetch(`${base}/open`, { method: 'POST' });
    expect(denied.status).toBe(401);
    const res = await fetch(`${base}/open`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scope: string; status: { state: string } };
    expect(body.scope).toBe('fleet');
    expect(body.status.state).toBe('forced_open');

    await remoteTo(b, 'forced_open', fromB);
    const sentByB = upstream.requests('B');
    const r = await b.request({ op: 'call', n: 2 });
    expect((r.outcomes as Outcome[]).map((o) => o.outcome)).toEqual(['rejected', 'rejected']);
    expect(upstream.requests('B')).toBe(sentByB);
    expect(await store.read(upstream.host)).toMatchObject({
      state: 'forced_open',
      reason: 'forced_open',
    });

    // The fleet view lists it; reset through A closes it for B as well.
    const list = (await (await fetch(`http://127.0.0.1:${port}/circuit-breakers`)).json()) as {
      scope: string;
      breakers: Array<{ name: string; fleet?: { state: string } }>;
    };
    expect(list.scope).toBe('fleet');
    expect(list.breakers.find((x) => x.name === upstream.host)?.fleet?.state).toBe('forced_open');
    const fromB2 = b.messages.length;
    const reset = await fetch(`${base}/reset`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(reset.status).toBe(200);
    await remoteTo(b, 'closed', fromB2);
    expect((await b.request({ op: 'call', n: 1 })).outcomes).toMatchObject([{ outcome: 'ok' }]);
    void a;
  });
});
