import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import picocolors from 'picocolors';
import { afterAll, describe, expect, it } from 'vitest';
import { startAdminServer } from '../../src/admin/admin-server.js';
import type { AdminSnapshot } from '../../src/admin/admin-snapshot.js';
import { renderTable, summaryLine } from '../../src/cli/status-table.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { PACKAGE_VERSION } from '../../src/telemetry/package-version.js';
import { freePort } from '../utils/free-port.js';
import { docFiles, kindOf, snippetsOf } from './markdown-snippets.js';
import { missingKeys, rowFromDoc, yamlWithLeavesAt } from './sample-inputs.js';

// Every sample output of README.md and docs/*.md (marked `<!-- snippet: output KIND -->`, see
// SNIPPET_KINDS) is compared with what the code prints now: config errors and the startup line
// by running register, tables by rendering the same rows, JSON and responses against real ones.
const root = resolve(__dirname, '../..');
const register = join(root, 'dist/cjs/register.js');
const snippets = docFiles(root).flatMap((file) => snippetsOf(file, root));
const dir = mkdtempSync(join(tmpdir(), 'cb-docs-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a no-op app under register with `env` (plus PATH) in `cwd`; resolves with its stderr. */
function runRegistered(env: Record<string, string>, cwd = dir): Promise<string> {
  const child = spawn(
    process.execPath,
    ['--require', register, '-e', 'setTimeout(() => process.exit(0), 20)'],
    {
      cwd,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((done) => child.on('close', () => done(stderr)));
}

const outputs = (kind: string) => snippets.filter((s) => kindOf(s) === kind);

describe('sample outputs are what the code prints now', { timeout: 60_000 }, () => {
  it('every output block has a kind that is checked', () => {
    for (const s of snippets.filter((b) => b.marker.startsWith('output')))
      expect(kindOf(s), s.where).toBeDefined();
  });

  it.each(outputs('output config-error'))('config error $where', async (s) => {
    // Rebuild the inputs from the sample's own lines: a file value at its line, an env var value.
    const lines = s.text.split('\n');
    const env: Record<string, string> = {};
    const leaves: Array<{ line: number; path: string[]; value: string }> = [];
    let sampleFile: string | undefined;
    for (const line of lines.slice(2)) {
      const fromEnv = /^ {2}env (\S+): (?:\S+: got (.+?), |unknown variable)/.exec(line);
      if (fromEnv !== null) {
        env[fromEnv[1]!] = fromEnv[2] === undefined ? '1' : fromEnv[2].replace(/^"(.*)"$/, '$1');
        continue;
      }
      const fromFile = /^ {2}(\/\S+?):(\d+): (\S+?): (?:got (.+?), |unknown key)/.exec(line);
      expect(
        fromFile,
        `${s.where}: a problem line the test cannot rebuild: ${line}`,
      ).not.toBeNull();
      sampleFile = fromFile![1];
      const path = [...fromFile![3]!.matchAll(/\["([^"]+)"\]|([A-Za-z_]\w*)/g)].map(
        (m) => m[1] ?? m[2]!,
      );
      leaves.push({ line: Number(fromFile![2]), path, value: fromFile![4] ?? '1' });
    }
    if (sampleFile !== undefined) {
      const file = join(dir, `error-${s.where.replace(/\W/g, '_')}.yaml`);
      writeFileSync(file, yamlWithLeavesAt(leaves));
      env.CIRCUIT_BREAKER_CONFIG = file;
      const stderr = await runRegistered(env);
      expect(stderr.replaceAll(file, sampleFile).trimEnd()).toBe(s.text);
    } else {
      expect((await runRegistered(env)).trimEnd()).toBe(s.text);
    }
  });

  it.each(outputs('output startup-line'))('startup line $where', async (s) => {
    const m =
      /^otel-circuit-breaker (\S+): protecting \d+ hosts? \((.+?)\), mode (\w+).*?, store (\S+)(?: (\S+))?, metrics http:\/\/localhost:(\d+)\/metrics$/.exec(
        s.text.split('\n')[0]!,
      );
    expect(m, `${s.where}: not a startup line`).not.toBeNull();
    const port = await freePort();
    const env: Record<string, string> = {
      CIRCUIT_BREAKER_HOSTS: m![2]!.replaceAll(' ', ''),
      CIRCUIT_BREAKER_MODE: m![3]!,
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    };
    if (m![4] === 'redis') {
      env.CIRCUIT_BREAKER_REDIS_URL = m![5]!;
      env.CIRCUIT_BREAKER_REDIS_STORE_TIMEOUT_MS = '5';
    }
    const first = (await runRegistered(env)).split('\n')[0]!;
    expect(first.replace(`:${port}/`, `:${m![6]}/`).replace(PACKAGE_VERSION!, m![1]!)).toBe(
      s.text.split('\n')[0],
    );
  });

  it.each(outputs('output status-table'))('status table $where', (s) => {
    const lines = s.text.split('\n');
    const chunks: string[][] = [];
    for (const line of lines) {
      if (line.startsWith('NAME ')) chunks.push([line]);
      else if (
        !line.startsWith('$ ') &&
        chunks.length > 0 &&
        !/ (forced open|reset|disabled|enabled)\b/.test(line)
      )
        chunks.at(-1)!.push(line);
    }
    expect(chunks.length, s.where).toBeGreaterThan(0);
    for (const chunk of chunks) {
      const rows = chunk.slice(1, -1).map(rowFromDoc);
      const fleet = / \(fleet-wide\) - /.test(chunk.at(-1)!);
      const label = chunk.at(-1)!.split(' - ').slice(1).join(' - ');
      const snapshot: AdminSnapshot = {
        generatedAt: '',
        scope: fleet ? 'fleet' : 'local',
        breakers: [],
        fleetOnly: [],
      };
      const printed = [
        ...renderTable(rows, picocolors.createColors(false), 160),
        `${summaryLine(snapshot, rows)} - ${label}`,
      ];
      expect(printed.join('\n')).toBe(chunk.join('\n'));
    }
  });

  it.each(outputs('output admin-list').concat(outputs('output admin-action')))(
    'admin JSON $where: every key shown exists in a real answer',
    async (s) => {
      const registry = new BreakerRegistry();
      const breaker = registry.get('api.openai.com', { failureThreshold: 1 });
      breaker.recordFailure(new Error('HTTP 503'));
      const token = 'a-long-enough-admin-token-0123456789';
      const admin = await startAdminServer({ registry, port: 0, token });
      try {
        const real: unknown = s.marker.endsWith('admin-list')
          ? await (await fetch(`${admin.url}/circuit-breakers`)).json()
          : await (
              await fetch(`${admin.url}/circuit-breakers/api.openai.com/reset`, {
                method: 'POST',
                headers: { authorization: `Bearer ${token}` },
              })
            ).json();
        expect(missingKeys(JSON.parse(s.text), real), s.where).toEqual([]);
      } finally {
        await admin.close();
      }
    },
  );

  it.each(outputs('output rejected-response'))('rejected response $where', async (s) => {
    const [head, body] = s.text.split('\n\n');
    const upstream = createHttpServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(upstream.address() as { port: number }).port}`;
    try {
      const child = spawn(
        process.execPath,
        [
          '--require',
          register,
          '-e',
          `(async () => {
            await (await fetch('http://${host}/v1')).arrayBuffer();
            const res = await fetch('http://${host}/v1');
            console.log(JSON.stringify({ status: res.status, statusText: res.statusText,
              headers: [...res.headers.keys()], body: await res.json() }));
          })()`,
        ],
        {
          env: {
            PATH: process.env.PATH ?? '',
            CIRCUIT_BREAKER_HOSTS: host,
            CIRCUIT_BREAKER_PRESET: 'llm',
            CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1',
            CIRCUIT_BREAKER_QUIET: 'true',
            OTEL_SDK_DISABLED: 'true',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      await new Promise((r) => child.on('close', r));
      const real = JSON.parse(out) as {
        status: number;
        statusText: string;
        headers: string[];
        body: { error: { type: string } };
      };
      const [statusLine, ...headerLines] = head!.split('\n');
      expect(statusLine).toBe(`HTTP/1.1 ${real.status} ${real.statusText}`);
      expect(headerLines.map((l) => l.split(':')[0]!.toLowerCase()).sort()).toEqual(
        real.headers.filter((h) => h !== 'content-length').sort(),
      );
      const shown = JSON.parse(body!) as { error: { type: string } };
      expect(missingKeys(shown, real.body)).toEqual([]);
      expect(missingKeys(real.body, shown)).toEqual([]);
      expect(shown.error.type).toBe(real.body.error.type);
    } finally {
      upstream.close();
    }
  });

  it.each(outputs('output example '))('example output $where', async (s) => {
    const script = s.marker.slice('output example '.length).trim();
    const child = spawn(process.execPath, [join(root, script)], {
      cwd: root,
      env: { ...process.env, RUN_SECONDS: '6' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise((r) => child.on('close', r));
    const real = out.split('\n');
    for (const line of s.text.split('\n')) {
      // Times, ports and counts differ on every run; the words around them must not.
      const pattern = new RegExp(
        `^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\d+(\\\.\d+)?/g, '\\d+(\\.\\d+)?')}$`,
      );
      expect(
        real.some((l) => pattern.test(l)),
        `${s.where}: no line like "${line}" in:\n${out}`,
      ).toBe(true);
    }
  });

  it.each(outputs('output not-checked: '))('not checked, with a reason: $where', (s) => {
    expect(s.marker.length).toBeGreaterThan('output not-checked: '.length + 10);
  });
});
