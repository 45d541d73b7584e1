import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One fenced code block of a Markdown file, with the `<!-- snippet: … -->` marker before it. */
export interface Snippet {
  /** `README.md:101`: file and line of the opening fence. */
  readonly where: string;
  /** The fence's language (`yaml`, `sh`, …); empty for a plain fence. */
  readonly lang: string;
  /** What the marker says the block is (`config`, `output config-error`, …); empty without one. */
  readonly marker: string;
  readonly text: string;
}

const MARKER = /^<!--\s*snippet:\s*(.*?)\s*-->$/;

/** Every fenced block of a Markdown file (indented fences inside list items included). */
export function snippetsOf(file: string, root: string): Snippet[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\w*)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!.length;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j]!); j++)
      body.push(lines[j]!.slice(indent));
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    const marker = k >= 0 ? (MARKER.exec(lines[k]!.trim())?.[1] ?? '') : '';
    out.push({
      where: `${relative(root, file)}:${i + 1}`,
      lang: open[2]!,
      marker,
      text: body.join('\n'),
    });
    i = j;
  }
  return out;
}

/** README.md and every docs/*.md (not docs/ subfolders' design notes, which hold no snippets to run). */
export function docFiles(root: string): string[] {
  const docs = join(root, 'docs');
  return [
    join(root, 'README.md'),
    ...readdirSync(docs)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => join(docs, name)),
  ];
}

/** Shell lines of a block: `\`-continued lines joined, comments and `$ ` prompts removed. */
export function commandLines(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((line) =>
      line
        .replace(/^\$ /, '')
        .replace(/(^|\s)#.*$/, '')
        .trim(),
    )
    .filter((line) => line !== '');
}

/** Splits a command line at `&&`, `||`, `;` and `|` (outside quotes), into words per command. */
export function simpleCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let word = '';
  let quote: string | undefined;
  let depth = 0; // inside $( … )
  const endWord = () => {
    if (word !== '') words.push(word);
    word = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
      else word += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '$' && line[i + 1] === '(') {
      depth++;
      word += c;
    } else if (c === ')' && depth > 0) {
      depth--;
      word += c;
    } else if (depth > 0) word += c;
    else if (/\s/.test(c)) endWord();
    else if (c === '|' || c === ';' || c === '&') {
      endWord();
      if (line[i + 1] === c) i++;
      if (words.length > 0) commands.push(words);
      words = [];
    } else word += c;
  }
  endWord();
  if (words.length > 0) commands.push(words);
  return commands;
}

/** Markers a block may carry; yaml blocks are `config` unless marked, sh blocks are commands. */
export const SNIPPET_KINDS = [
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
export const kindOf = (s: Snippet): string | undefined =>
  SNIPPET_KINDS.find((k) => s.marker === k || s.marker.startsWith(k));
