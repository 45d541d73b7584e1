import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../store/redis-harness.js';

// CIRCUIT_BREAKER_MAX_BREAKERS reaches both places it matters under --require …/register: the
// process-wide registry (which caps the names) and the metric views (sized for that cap), so no
// breaker's series spill into the SDK's overflow series.
const root = resolve(__dirname, '../..');
const app = resolve(__dirname, 'fixtures/many-names-app.cjs');

describe('registry limits under --require otel-circuit-breaker/register', () => {
  it('CIRCUIT_BREAKER_MAX_BREAKERS caps the registry and sizes the metric views alike', async () => {
    const metricsPort = await freePort();
    const child = spawn(process.execPath, ['--require', 'otel-circuit-breaker/register', app], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        NAMES: '1500',
        HOLD_MS: '20000',
        CIRCUIT_BREAKER_MAX_BREAKERS: '1000',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      },
    });
    try {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      const held = await new Promise<Record<string, number>>((done, fail) => {
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d;
          const line = stdout.split('\n').find((l) => l.includes('"hold"'));
          if (line !== undefined) done(JSON.parse(line) as Record<string, number>);
        });
        child.on('exit', (code) => fail(new Error(`app exited with ${code}: ${stderr}`)));
      });
      expect(held).toMatchObject({ size: 1000, overflowedNames: 500, maxBreakers: 1000 });

      const scraped = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const names = new Set(
        [...scraped.matchAll(/^circuit_breaker_state\{[^}]*circuit_breaker_name="([^"]*)"/gm)].map(
          (m) => m[1],
        ),
      );
      expect(names.size).toBe(1001); // 1000 breakers and __overflow__
      expect(scraped).not.toContain('otel_metric_overflow');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
