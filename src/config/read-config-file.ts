import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type * as Yaml from 'yaml';
import type { Document, LineCounter } from 'yaml';
import type { ConfigProblem } from './config-error.js';
import { CONFIG_FILE_ENV_VAR } from './env-vars.js';
import { formatValue } from './problem-text.js';
import { substituteEnv } from './substitute-env.js';
import type { ConfigSource } from './validate-source.js';

/** The YAML parser, loaded when a config file is first read (most processes configure by env). */
function yaml(): typeof Yaml {
  return require('yaml') as typeof Yaml;
}

export interface FileReadResult {
  /** The parsed file, ready for validation; undefined when no file is configured or it failed to parse. */
  readonly source: ConfigSource | undefined;
  readonly problems: readonly ConfigProblem[];
}

const EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * Reads the file named by CIRCUIT_BREAKER_CONFIG (relative to `cwd`) and substitutes `${env:NAME}`
 * references in its string values from `env`. Syntax errors and unset variables name the file and
 * line; validation problems found later are labelled `<file>:<line>` of the offending entry.
 */
export function readConfigFile(env: NodeJS.ProcessEnv, cwd: string): FileReadResult {
  const given = env[CONFIG_FILE_ENV_VAR]?.trim();
  if (given === undefined || given === '') return { source: undefined, problems: [] };
  const fail = (message: string): FileReadResult => ({
    source: undefined,
    problems: [
      { source: `env ${CONFIG_FILE_ENV_VAR}`, path: '', value: formatValue(given), message },
    ],
  });
  const file = resolve(cwd, given);
  const extension = extname(file).toLowerCase();
  if (!EXTENSIONS.has(extension)) return fail('expected a path ending in .yaml, .yml or .json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      code === 'ENOENT'
        ? `file not found: ${file}`
        : `cannot read ${file} (${code ?? String(error)})`,
    );
  }
  const parsed = extension === '.json' ? parseJson(file, text) : parseYaml(file, text);
  if (parsed.source === undefined) return parsed;
  const { data, problems } = substituteEnv(parsed.source.data, env, parsed.source.labelFor);
  if (problems.length > 0) return { source: undefined, problems };
  return { source: { ...parsed.source, data }, problems: [] };
}

function parseYaml(file: string, text: string): FileReadResult {
  const { LineCounter, parseDocument } = yaml();
  const lines = new LineCounter();
  // `merge: true` allows `<<: *shared` so hosts can share settings through an anchor.
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: true,
  });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => {
      const { line, col } = lines.linePos(error.pos[0]);
      return {
        source: `${file}:${line}`,
        path: '',
        message: `YAML syntax error at line ${line}, column ${col}: ${error.message}`,
      };
    });
    return { source: undefined, problems };
  }
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  return { source: { kind: 'file', data, labelFor: lineLabeller(file, doc, lines) }, problems: [] };
}

function parseJson(file: string, text: string): FileReadResult {
  let data: unknown;
  try {
    data = text.trim() === '' ? null : JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const line = /\(line (\d+) column \d+\)/.exec(message)?.[1];
    const source = line === undefined ? file : `${file}:${line}`;
    return {
      source: undefined,
      problems: [{ source, path: '', message: `JSON syntax error: ${message}` }],
    };
  }
  // JSON is YAML, and the YAML parser keeps source positions: use it to point problems at lines.
  let located: ((path: readonly PropertyKey[]) => string) | undefined;
  const labelFor = (path: readonly PropertyKey[]): string => {
    if (located === undefined) {
      const { LineCounter, parseDocument } = yaml();
      const lines = new LineCounter();
      located = lineLabeller(file, parseDocument(text, { lineCounter: lines }), lines);
    }
    return located(path);
  };
  return { source: { kind: 'file', data, labelFor }, problems: [] };
}

/** `<file>:<line>` of the deepest entry of `path` found in the document (a map entry by its key's line). */
function lineLabeller(file: string, doc: Document, lines: LineCounter) {
  const { isMap, isScalar, isSeq } = yaml();
  return (path: readonly PropertyKey[]): string => {
    let node: unknown = doc.contents;
    let offset: number | undefined;
    for (const segment of path) {
      let next: unknown;
      let at: unknown;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => (isScalar(item.key) ? item.key.value : item.key) === segment,
        );
        next = pair?.value;
        at = pair?.key;
      } else if (isSeq(node)) {
        next =
          typeof segment === 'number'
            ? node.items[segment]
            : node.items.find((item) => (isScalar(item) ? item.value : item) === segment);
        at = next;
      }
      if (at === undefined || at === null) break;
      node = next;
      offset = (at as { range?: [number, number, number] }).range?.[0] ?? offset;
    }
    return offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
  };
}
