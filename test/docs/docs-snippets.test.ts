import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import picocolors from 'picocolors';
import { afterAll, describe, expect, it } from 'vitest';
import { startAdminServer } from '../../src/admin/admin-server.js';
import type { AdminSnapshot } from '../../src/admin/admin-snapshot.js';
import { BreakerRegistry } from '../../src/registry/breaker-registry.js';
import { buildProgram } from '../../src/cli/main.js';
import { renderTable, summaryLine, type StatusRow } from '../../src/cli/status-table.js';
import { CIRCUIT_BREAKER_ENV_VARS } from '../../src/config/env-vars.js';
import { loadConfig } from '../../src/config/load-config.js';
import { BREAKER_STATES } from '../../src/core/states.js';
import { PACKAGE_VERSION } from '../../src/telemetry/package-version.js';
import {
  commandLines,
  docFiles,
  simpleCommands,
  snippetsOf,
  type Snippet,
} from './markdown-snippets.js';
import { freePort } from '../utils/free-port.js';

// The docs cannot show a form the code does not accept or print: every config snippet goes
// through the real loader, every command names a script, subcommand, flag and variable that
// exist, and every sample output is compared with what the code prints now. A block's kind is
// given by an HTML comment right before it: `<!-- snippet: KIND -->` (see KINDS below).
const root = resolve(__dirname, '../..');
const register = join(root, 'dist/cjs/register.js');
const snippets = docFiles(root).flatMap((file) => snippetsOf(file, root));
const dir = mkdtempSync(join(tmpdir(), 'cb-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Markers a block may carry; yaml blocks are `config` unless marked, sh blocks are commands. */
const KINDS = [
  'config', // a whole config file (yaml or json), validated by loadConfig
  'config-fragment under=', // a part of one, validated nested under the dotted path given
  'output config-error', // what register prints for a bad config: rebuilt from its lines, run, compared
  'output startup-line', // register's startup line: run with the hosts/mode/store it names, compared
  'output status-table', // the CLI's table: the same rows rendered by the CLI code, compared
  'output example ', // lines an example prints: the example is run, each line must appear (numbers aside)
  'output rejected-response', // the synthetic 503 of rejectWith: response, compared with a real one
  'output admin-list', // GET /circuit-breakers JSON: every key shown exists in a real answer
  'output admin-action', // POST …/:action JSON: the same
  'output not-checked: ', // measured figures of a machine (benchmark tables); the reason is required
] as const;
const kindOf = (s: Snippet) => KINDS.find((k) => s.marker === k || s.marker.startsWith(k));

const KNOWN_ENV = new Set(CIRCUIT_BREAKER_ENV_VARS.map((spec) => spec.name));
const scripts = Object.keys(
  (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: object }).scripts,
);

describe('every block is of a kind the test knows', () => {
  it.each(snippets.filter((s) => s.lang !== 'sh' && !/^(js|ts|javascript)$/.test(s.lang)))(
    '$where',
    (s) => {
      if (s.lang === 'yaml' && s.marker === '') return;
      expect(kindOf(s), `${s.where}: mark it <!-- snippet: … --> (${s.marker})`).toBeDefined();
    },
  );
});

describe('config snippets load through the real loader', () => {
  const configs = snippets.filter(
    (s) =>
      (s.lang === 'yaml' && s.marker === '') ||
      s.marker === 'config' ||
      s.marker.startsWith('config-fragment'),
  );
  it('finds them', () => expect(configs.length).toBeGreaterThan(2));
  it.each(configs)('$where', (s) => {
    const under = /under=(\S+)/.exec(s.marker)?.[1];
    let text = s.text;
    if (under !== undefined) {
      // Nest the fragment: each level of the path indents it by two spaces.
      const path = under.split('.');
      text = [
        ...path.map((key, i) => `${'  '.repeat(i)}${JSON.stringify(key)}:`),
        ...s.text.split('\n').map((line) => '  '.repeat(path.length) + line),
      ].join('\n');
    }
    const file = join(
      dir,
      `snippet-${s.where.replace(/\W/g, '_')}.${s.lang === 'json' ? 'json' : 'yaml'}`,
    );
    writeFileSync(file, text);
    // Secrets are written as ${env:NAME} placeholders: give each a value that passes validation.
    const env: Record<string, string> = { CIRCUIT_BREAKER_CONFIG: file };
    for (const [, name] of text.matchAll(/\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)/g))
      env[name!] = 'a-long-enough-secret-value-0123456789';
    expect(() => loadConfig({ env, cwd: dir })).not.toThrow();
  });
});

describe('commands name what exists', () => {
  const program = buildProgram(async () => {});
  const globalFlags = new Set([...program.options.map((o) => o.long), '--help', '--version']);
  const subcommands = new Map(
    program.commands.map((c) => [c.name(), new Set(c.options.map((o) => o.long))]),
  );

  function checkCommand(words: string[], where: string): void {
    let w = [...words];
    while (w.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[0]!)) {
      const name = w[0]!.split('=')[0]!;
      if (name.startsWith('CIRCUIT_BREAKER_'))
        expect(KNOWN_ENV.has(name), `${where}: unknown variable ${name}`).toBe(true);
      w = w.slice(1);
    }
    if (w[0] === 'npx' && w[1] === 'otel-circuit-breaker') w = w.slice(1);
    if (w[0] === 'npm' && w[1] === 'run') {
      expect(scripts, `${where}: npm run ${w[2]}`).toContain(w[2]);
    } else if (w[0] === 'otel-circuit-breaker') {
      let sub: string | undefined;
      for (const word of w.slice(1)) {
        if (!word.startsWith('--')) {
          if (
            sub === undefined &&
            !/^(redis|rediss|https?):\/\//.test(word) &&
            !word.startsWith('$')
          ) {
            const previous = w[w.indexOf(word) - 1];
            if (
              previous === undefined ||
              ![
                '--redis',
                '--url',
                '--token',
                '--key-prefix',
                '--timeout',
                '--interval',
                '--count',
              ].includes(previous)
            )
              sub = word;
          }
          continue;
        }
        const flag = word.split('=')[0]!;
        const known =
          globalFlags.has(flag) || (sub !== undefined && subcommands.get(sub)?.has(flag));
        expect(known, `${where}: ${sub ?? ''} ${flag}`).toBe(true);
      }
      if (sub !== undefined) expect([...subcommands.keys()], `${where}: subcommand`).toContain(sub);
    } else if (w[0] === 'node') {
      for (const arg of w.slice(1)) {
        if (/^(examples|bench|scripts)\//.test(arg))
          expect(existsSync(join(root, arg)), `${where}: ${arg}`).toBe(true);
        if (arg.startsWith('otel-circuit-breaker/'))
          expect(arg).toBe('otel-circuit-breaker/register');
      }
    }
  }

  const blocks = snippets.filter(
    (s) => s.lang === 'sh' || (kindOf(s)?.startsWith('output') === true && /^\$ /m.test(s.text)),
  );
  it.each(blocks)('$where', (s) => {
    const lines =
      s.lang === 'sh'
        ? commandLines(s.text)
        : commandLines(
            s.text
              .split('\n')
              .filter((l) => l.startsWith('$ '))
              .join('\n'),
          );
    for (const line of lines)
      for (const words of simpleCommands(line)) checkCommand(words, s.where);
  });

  it('docs/configuration.md lists every variable the library reads', () => {
    const text = readFileSync(join(root, 'docs/configuration.md'), 'utf8');
    const listed = new Set([...text.matchAll(/^\| `(CIRCUIT_BREAKER_\w+)`/gm)].map((m) => m[1]));
    expect([...listed].sort()).toEqual([...KNOWN_ENV].sort());
  });

  it.each(docFiles(root))('every CIRCUIT_BREAKER_* name in %s is one the library reads', (file) => {
    const outputs = snippetsOf(file, root).filter((s) => kindOf(s)?.startsWith('output'));
    let text = readFileSync(file, 'utf8');
    for (const s of outputs) text = text.replace(s.text, '');
    for (const [name] of text.matchAll(/\bCIRCUIT_BREAKER_[A-Z0-9_]*[A-Z0-9]\b(?![*_])/g))
      expect(KNOWN_ENV.has(name), `${file}: ${name}`).toBe(true);
  });
});

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

/** Key paths of `shown` (a documented JSON sample) that `real` lacks; `"..."` keys stand for more. */
function missingKeys(shown: unknown, real: unknown, path = ''): string[] {
  if (Array.isArray(shown))
    return Array.isArray(real) && shown.length > 0 && real.length > 0
      ? missingKeys(shown[0], real[0], `${path}[0]`)
      : [];
  if (shown === null || typeof shown !== 'object') return [];
  if (real === null || typeof real !== 'object') return [path];
  return Object.entries(shown).flatMap(([key, value]) =>
    key === '...'
      ? []
      : key in real
        ? missingKeys(value, (real as Record<string, unknown>)[key], `${path}.${key}`)
        : [`${path}.${key}`],
  );
}

/** A YAML file whose leaves (`hosts["a.com"].openSeconds = 1.5`) sit on the given lines. */
function yamlWithLeavesAt(
  leaves: ReadonlyArray<{ line: number; path: string[]; value: string }>,
): string {
  const out: string[] = [];
  const open: string[] = [];
  for (const leaf of [...leaves].sort((a, b) => a.line - b.line)) {
    let shared = 0;
    while (shared < open.length && open[shared] === leaf.path[shared]) shared++;
    open.length = shared;
    const parents = leaf.path.slice(shared, -1);
    while (out.length + parents.length + 1 < leaf.line) out.push(`${'  '.repeat(shared)}# …`);
    for (const key of parents) {
      out.push(`${'  '.repeat(open.length)}${JSON.stringify(key)}:`);
      open.push(key);
    }
    out.push(`${'  '.repeat(open.length)}${JSON.stringify(leaf.path.at(-1))}: ${leaf.value}`);
  }
  return `${out.join('\n')}\n`;
}

/** A table row as the docs print it, back into the row the CLI would render it from. */
function rowFromDoc(line: string): StatusRow {
  const [name, state, fail, slow, calls, opens, recovery, lastError] = line.split(/ {2,}/);
  expect(BREAKER_STATES, line).toContain(state);
  const num = (text: string | undefined, unit = '') =>
    text === undefined || text === '-' || text === 'probing' || text === 'manual'
      ? null
      : Number(text.slice(0, text.length - unit.length));
  return {
    name: name!,
    state: state as StatusRow['state'],
    failureRate: num(fail, '%') === null ? null : num(fail, '%')! / 100,
    slowCallRate: num(slow, '%') === null ? null : num(slow, '%')! / 100,
    callsInWindow: num(calls),
    openCount: num(opens),
    secondsUntilRecovery: recovery === 'probing' ? 0 : num(recovery, 's'),
    lastError: lastError ?? null,
  };
}
