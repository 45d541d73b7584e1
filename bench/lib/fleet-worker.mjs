// One process of simulated fleet instances for bench/fleet.mjs. Each instance has its own
// RedisStore (own command and subscriber connections), BreakerRegistry with every configured host,
// and SharedStateSync with its timers, exactly as one app would. The parent drives the phases over
// IPC; calls are simulated with breaker.execute (no HTTP: what is measured is Redis's side).
import { createRequire } from 'node:module';
import { BreakerRegistry } from '../../dist/esm/index.mjs';

// The store and the fleet sync are wiring, not part of the package's main entry.
const require = createRequire(import.meta.url);
const { RedisStore } = require('../../dist/cjs/store/index.js');
const { SharedStateSync } = require('../../dist/cjs/fleet/index.js');

const nowMs = () => performance.timeOrigin + performance.now();
const FAIL = new Error('upstream failed');
/** A probe is held this long before it fails, so every fleet permit is in use at once. */
const PROBE_HOLD_MS = 1000;

const instances = [];
let config;
let traffic;
const failing = new Set();
let opens = [];
let trips = [];
let probes = [];

function send(message) {
  process.send(message);
}

async function init(c) {
  config = c;
  await Promise.all(
    c.ids.map(async (id) => {
      const registry = new BreakerRegistry({ defaults: c.policy });
      const store = new RedisStore({
        ...c.target,
        keyPrefix: c.keyPrefix,
        storeTimeoutMs: 5000,
        instanceId: `i${id}`,
      });
      const flush = store.flush.bind(store);
      store.flush = async (name, request) => {
        const t0 = nowMs();
        const r = await flush(name, request);
        if (r?.tripped) trips.push({ host: name, instance: id, t0, t1: nowMs() });
        return r;
      };
      await store.whenReady();
      const sync = new SharedStateSync(store, c.sync).attach(registry);
      const breakers = c.hosts.map((h) => {
        const b = registry.get(h);
        sync.track(b);
        b.onTransition((tr) => {
          if (failing.has(h) && tr.to === 'open')
            opens.push({ host: h, instance: id, t: nowMs(), reason: tr.reason });
        });
        return b;
      });
      await store.whenSubscribed();
      await sync.resync();
      instances.push({ id, store, sync, breakers });
    }),
  );
  send({ type: 'ready' });
}

function call(instance, b, host) {
  if (!failing.has(host)) {
    b.execute(() => 1).catch(() => {});
    return;
  }
  b.execute(() => {
    const probe = b.currentState === 'half_open';
    if (probe)
      probes.push({
        host,
        instance: instance.id,
        t: nowMs(),
        epoch: instance.sync.fleetState(host)?.epoch,
      });
    return new Promise((_, reject) => setTimeout(() => reject(FAIL), probe ? PROBE_HOLD_MS : 20));
  }).catch(() => {});
}

function setTraffic(on) {
  clearInterval(traffic);
  if (!on) return;
  // Ticks of 100 ms: `perTick` calls per host per tick, or one call every `every` ticks.
  const perTick = Math.max(1, Math.round(config.callsPerSecond / 10));
  const every = Math.max(1, Math.round(10 / config.callsPerSecond));
  let tick = 0;
  traffic = setInterval(() => {
    tick++;
    for (const instance of instances) {
      for (let k = 0; k < config.active; k++) {
        if ((tick + k) % every !== 0) continue;
        for (let n = 0; n < perTick; n++) call(instance, instance.breakers[k], config.hosts[k]);
      }
      // A failing host is called as often as an active one, whether it had traffic before or not.
      for (const host of failing) {
        const k = config.hosts.indexOf(host);
        if (k >= config.active)
          for (let n = 0; n < perTick; n++) call(instance, instance.breakers[k], host);
      }
    }
  }, 100);
}

process.on('message', (m) => {
  if (m.type === 'init') void init(m.config);
  else if (m.type === 'traffic') setTraffic(m.on);
  else if (m.type === 'fail') failing.add(m.host);
  else if (m.type === 'heal') failing.delete(m.host);
  else if (m.type === 'collect') {
    send({ type: 'collected', opens, trips, probes });
    opens = [];
    trips = [];
    probes = [];
  } else if (m.type === 'stop') {
    setTraffic(false);
    for (const i of instances) i.sync.detach();
    void Promise.all(instances.map((i) => i.store.close())).then(() => process.exit(0));
  }
});
send({ type: 'started' });
