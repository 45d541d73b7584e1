// Health checks in a fleet: two app processes under `--require otel-circuit-breaker/register`
// share a host's circuit through the shared Redis; between them they send one check per interval,
// and when the instance that checks dies, the other takes over.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARED_REDIS_URL, uniquePrefix, eventually } from '../store/redis-harness.js';
import { FleetMember } from './fleet-harness.js';

interface Check {
  readonly member: string;
  readonly at: number;
}

const INTERVAL_MS = 1000;

describe('health checks across a fleet sharing Redis', () => {
  let server: Server;
  let host: string;
  let dir: string;
  const checks: Check[] = [];
  let userCalls = 0;

  beforeAll(async () => {
    // User calls fail (so the circuit opens); checks pass, but never enough to close it.
    server = createServer((req, res) => {
      if (req.url === '/healthz') {
        checks.push({ member: String(req.headers['x-member']), at: performance.now() });
        res.writeHead(200).end('ok');
      } else {
        userCalls++;
        res.writeHead(500).end('failing');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), 'cb-health-fleet-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('one check per interval between two processes, and a crashed checker is replaced', async () => {
    const file = join(dir, 'circuit-breakers.json');
    writeFileSync(
      file,
      JSON.stringify({
        hosts: {
          [host]: {
            // The rate rule opens the fleet's circuit (a consecutive-failure trip is one instance's).
            failureThreshold: 0,
            failureRateThreshold: 0.5,
            minimumCalls: 5,
            openSeconds: 0.2,
            successThreshold: 1000,
            healthCheck: {
              path: '/healthz',
              intervalSeconds: INTERVAL_MS / 1000,
              // Checks send only configured headers; this one tells the instances apart.
              headers: { 'x-member': '${env:FLEET_MEMBER}' },
            },
          },
        },
      }),
    );
    const env = {
      UPSTREAM_URL: `http://${host}`,
      CIRCUIT_BREAKER_HOSTS: host,
      CIRCUIT_BREAKER_CONFIG: file,
      CIRCUIT_BREAKER_REDIS_URL: SHARED_REDIS_URL,
      CIRCUIT_BREAKER_REDIS_KEY_PREFIX: uniquePrefix('health'),
      CIRCUIT_BREAKER_REDIS_FLUSH_INTERVAL_MS: '50',
      CIRCUIT_BREAKER_REDIS_RESYNC_INTERVAL_MS: '1000',
      CIRCUIT_BREAKER_QUIET: 'true',
    };
    const a = await FleetMember.start('A', env);
    const b = await FleetMember.start('B', env);
    try {
      const fromB = b.messages.length;
      await a.request({ op: 'call', n: 8 });
      // B learns of the trip from the store (by the time it does, a check may have run).
      await b.waitFor(
        (m) => m.type === 'transition' && m.reason === 'remote',
        'B learns the circuit is open',
        10_000,
        fromB,
      );
      const userCallsWhileOpen = userCalls;
      await eventually(() => checks.length >= 5, 'five health checks', 20_000);

      // Never two checks within one turn (0.9 of the interval), whichever instance sent them.
      const gaps = checks.slice(1).map((c, i) => c.at - checks[i]!.at);
      expect(Math.min(...gaps)).toBeGreaterThan(INTERVAL_MS * 0.7);

      // The instance that checked last dies; the other takes over within about an interval.
      const checker = checks.at(-1)!.member === 'A' ? a : b;
      const survivor = checker === a ? b : a;
      checker.kill();
      await checker.exited;
      const diedAt = performance.now();
      const before = checks.length;
      await eventually(
        () => checks.slice(before).some((c) => c.member === survivor.name),
        `${survivor.name} to take over the checks`,
        10_000,
      );
      const takeover = checks.slice(before).find((c) => c.member === survivor.name)!;
      expect(takeover.at - diedAt).toBeLessThan(INTERVAL_MS * 2.5);
      // All the while no user call reached the host: the circuit stayed open or half-open.
      const r = await survivor.request({ op: 'call', n: 3 });
      expect((r.outcomes as Array<{ outcome: string }>).map((o) => o.outcome)).toEqual([
        'rejected',
        'rejected',
        'rejected',
      ]);
      expect(userCalls).toBe(userCallsWhileOpen);
    } finally {
      a.kill();
      b.kill();
    }
  });
});
