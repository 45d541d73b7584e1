import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { CIRCUIT_BREAKER_ENV_VARS } from '../../src/config/env-vars.js';
import { loadConfig } from '../../src/config/load-config.js';
import { commandLines, docFiles, kindOf, simpleCommands, snippetsOf } from './markdown-snippets.js';

// The docs cannot show a form the code does not accept or print: every config snippet goes
// through the real loader, every command names a script, subcommand, flag and variable that
// exist, and every sample output is compared with what the code prints now. A block's kind is
// given by an HTML comment right before it: `<!-- snippet: KIND -->` (SNIPPET_KINDS); sample
// outputs are compared in docs-outputs.test.ts.
const root = resolve(__dirname, '../..');
const snippets = docFiles(root).flatMap((file) => snippetsOf(file, root));
const dir = mkdtempSync(join(tmpdir(), 'cb-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    // Secrets are written as ${env:NAME} placeholders: give each one without a default a value
    // that passes validation; a reference with a default (`${env:NAME:-9465}`) shows its default.
    const env: Record<string, string> = { CIRCUIT_BREAKER_CONFIG: file };
    for (const [, name, fallback] of text.matchAll(
      /\$\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}/g,
    ))
      if (fallback === undefined) env[name!] = 'a-long-enough-secret-value-0123456789';
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
