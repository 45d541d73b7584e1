// Smoke test of examples/redis-fleet: one command, two replicas sharing the shared Redis, exits 0
// by itself once the quiet replica was protected by the busy one's trip.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { SHARED_REDIS_URL } from '../store/redis-harness.js';
import { REPO_ROOT } from './fleet-harness.js';

it('node examples/redis-fleet/run.mjs shows one replica tripping the other and exits 0', async () => {
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(REPO_ROOT, 'examples/redis-fleet/run.mjs')],
      {
        cwd: REPO_ROOT,
        timeout: 40_000,
        env: { PATH: process.env.PATH ?? '', REDIS_URL: SHARED_REDIS_URL, RUN_SECONDS: '6' },
      },
      (error, out) => resolve({ code: error === null ? 0 : Number(error.code ?? 1), stdout: out }),
    );
  });
  expect(code, stdout).toBe(0);
  // a's failures trip it: through a's own breaker, or through the fleet-wide count in Redis when
  // that crosses the rate first (it also holds b's calls); which one wins is a race.
  expect(stdout).toMatch(
    /\[a\] .*closed -> open {2}\((its own calls: failure_rate|learned from the fleet \(Redis\))/,
  );
  expect(stdout).toMatch(/\[b\] .*closed -> open {2}\(learned from the fleet \(Redis\)/);
  expect(stdout).toContain('rejected at once, nothing sent');
  expect(stdout).toContain(
    "ok    b's circuit was opened from Redis (reason remote), not by its own calls",
  );
  expect(stdout).toContain('ok    b rejected calls without sending them');
  expect(stdout).toMatch(/^PASS$/m);
}, 60_000);
