import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startAdminServer } from '../../src/admin/admin-server.js';
import type { AdminSnapshot } from '../../src/admin/admin-snapshot.js';
import type { FleetBreakerView, FleetControl } from '../../src/fleet/fleet-control.js';
import type { Transition } from '../../src/core/transition.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { fetchThrough, startFailingUpstream } from '../utils/failing-upstream.js';
import { bearer, send } from './http-client.js';

const TOKEN = 'events-test-token-0123456789';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface SseEvent {
  event: string;
  data: string;
}

/** Opens /events and yields parsed events until `until` returns true. */
function collectEvents(url: string, until: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
  return new Promise((resolve, reject) => {
    const events: SseEvent[] = [];
    const req = get(`${url}/events`, (res: IncomingMessage) => {
      expect(res.headers['content-type']).toContain('text/event-stream');
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data });
          if (until(events)) {
            req.destroy();
            resolve(events);
            return;
          }
        }
      });
    });
    req.on('error', reject);
  });
}

describe('event stream', () => {
  it('sends a snapshot at once, then the transition and a snapshot showing it, as the upstream fails', async () => {
    const registry = new BreakerRegistry({ defaults: { failureThreshold: 3, openSeconds: 300 } });
    const breaker = registry.get('flaky.local');
    const admin = await startAdminServer({ registry, port: 0 });
    cleanups.push(() => admin.close());
    const upstream = await startFailingUpstream();
    cleanups.push(() => upstream.close());

    let tripped = false;
    const events = await collectEvents(admin.url, (evs) => {
      if (!tripped && evs.some((e) => e.event === 'snapshot')) {
        tripped = true;
        // Real calls to a real (failing) loopback server, through the breaker.
        void (async () => {
          for (let i = 0; i < 3; i++) await fetchThrough(breaker, upstream.url);
        })();
      }
      return evs.some(
        (e) =>
          e.event === 'snapshot' &&
          (JSON.parse(e.data) as AdminSnapshot).breakers.some((b) => b.state === 'open'),
      );
    });

    expect(events[0]?.event).toBe('snapshot');
    const transition = events.find((e) => e.event === 'transition');
    expect(transition).toBeDefined();
    expect(JSON.parse(transition?.data ?? '{}') as Transition).toMatchObject({
      name: 'flaky.local',
      from: 'closed',
      to: 'open',
    });
    const last = JSON.parse(events.at(-1)?.data ?? '{}') as AdminSnapshot;
    expect(last.breakers[0]).toMatchObject({ name: 'flaky.local', state: 'open', openCount: 1 });
    expect(last.breakers[0]?.secondsUntilRecovery).toBeGreaterThan(0);
  });

  it('ends streams on close', async () => {
    const registry = new BreakerRegistry();
    const admin = await startAdminServer({ registry, port: 0 });
    const events = await collectEvents(admin.url, (evs) => evs.length >= 1);
    expect(events[0]?.event).toBe('snapshot');
    await admin.close();
  });
});

/** Two "instances" sharing state the simple way: the fleet applies every change to both. */
class InProcessFleet implements FleetControl {
  constructor(private readonly instances: BreakerRegistry[]) {}
  private each(name: string, f: (r: BreakerRegistry) => void): Promise<boolean> {
    const holders = this.instances.filter((r) => r.has(name));
    holders.forEach(f);
    return Promise.resolve(holders.length > 0);
  }
  reset(name: string) {
    return this.each(name, (r) => r.peek(name)?.reset());
  }
  forceOpen(name: string) {
    return this.each(name, (r) => r.peek(name)?.forceOpen());
  }
  disable(name: string) {
    return this.each(name, (r) => r.peek(name)?.disable());
  }
  enable(name: string) {
    return this.each(name, (r) => {
      const b = r.peek(name);
      if (b?.currentState === 'disabled') b.reset();
    });
  }
  async list(): Promise<FleetBreakerView[]> {
    const byName = new Map<string, FleetBreakerView>();
    for (const r of this.instances) {
      for (const b of r.list())
        byName.set(b.name, { name: b.name, state: b.currentState, epoch: b.epoch });
    }
    return [...byName.values()];
  }
}

describe('fleet', () => {
  it('applies changes to every instance and shows fleet-only breakers', async () => {
    const here = new BreakerRegistry();
    const there = new BreakerRegistry();
    here.get('shared');
    there.get('shared');
    there.get('only-there');
    const admin = await startAdminServer({
      registry: here,
      port: 0,
      token: TOKEN,
      fleet: new InProcessFleet([here, there]),
    });
    cleanups.push(() => admin.close());

    const res = await send(admin.url, 'POST', '/circuit-breakers/shared/open', {
      headers: bearer(TOKEN),
    });
    expect(res.json()).toMatchObject({
      scope: 'fleet',
      previousState: 'closed',
      status: { state: 'forced_open' },
    });
    expect(there.peek('shared')?.currentState).toBe('forced_open');

    const onlyThere = await send(admin.url, 'POST', '/circuit-breakers/only-there/disable', {
      headers: bearer(TOKEN),
    });
    expect(onlyThere.json()).toMatchObject({ scope: 'fleet', previousState: null, status: null });
    expect(there.peek('only-there')?.currentState).toBe('disabled');
    expect(here.has('only-there')).toBe(false);

    const list = (await send(admin.url, 'GET', '/circuit-breakers')).json<AdminSnapshot>();
    expect(list.scope).toBe('fleet');
    expect(list.breakers).toEqual([
      expect.objectContaining({
        name: 'shared',
        fleet: expect.objectContaining({ state: 'forced_open' }),
      }),
    ]);
    expect(list.fleetOnly).toEqual([
      expect.objectContaining({ name: 'only-there', state: 'disabled' }),
    ]);
    const one = (await send(admin.url, 'GET', '/circuit-breakers/only-there')).json();
    expect(one).toMatchObject({ name: 'only-there', state: 'disabled', fleetOnly: true });
    expect(
      (await send(admin.url, 'POST', '/circuit-breakers/nowhere/reset', { headers: bearer(TOKEN) }))
        .status,
    ).toBe(404);
  });

  it('never fails the app when the fleet fails: reads fall back to local, changes answer 503', async () => {
    const registry = new BreakerRegistry();
    const breaker = registry.get('payments');
    const broken: FleetControl = {
      reset: () => Promise.reject(new Error('redis down')),
      forceOpen: () => Promise.reject(new Error('redis down')),
      disable: () => {
        throw new Error('sync throw');
      },
      enable: () => Promise.reject(new Error('redis down')),
      list: () => Promise.reject(new Error('redis down')),
    };
    const admin = await startAdminServer({ registry, port: 0, token: TOKEN, fleet: broken });
    cleanups.push(() => admin.close());
    const list = (await send(admin.url, 'GET', '/circuit-breakers')).json<AdminSnapshot>();
    expect(list.fleetError).toMatch(/could not be read/);
    expect(list.breakers.map((b) => b.name)).toEqual(['payments']);
    for (const action of ['open', 'disable']) {
      const res = await send(admin.url, 'POST', `/circuit-breakers/payments/${action}`, {
        headers: bearer(TOKEN),
      });
      expect(res.status).toBe(503);
      expect(res.text).not.toContain('redis down');
    }
    expect(breaker.currentState).toBe('closed');
  });
});
