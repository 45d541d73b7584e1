// Puts the modules an entry point loads at start into one file (and their loader into another).
// Every file a process loads costs it a resolution (stat calls, package.json lookups, realpath), a
// read and a compile; with about 90 files at `register`'s start, the first three were a sixth of
// its start-up. The bundle keeps each module's source as a string and compiles it under its own
// file name on first require (scripts/module-bundle-loader.cjs), so modules still load one by one,
// in the same order, as the same single instances (require.cache), with their own names and lines
// in stack traces. The files stay in dist/cjs for everything else (the main entry, lazily loaded
// parts).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `require("./x.js")` that runs when its module loads; lazy ones (`x_loaded ??= require(…)`) wait. */
const EAGER_REQUIRE = /(?<!_loaded \?\?= )require\("(\.{1,2}\/[^"]+)"\)/g;
/** Every `require("./x.js")`, eager or lazy. */
const RELATIVE_REQUIRE = /\brequire\("(\.{1,2}\/[^"]+)"\)/g;
const loaderSource = readFileSync(
  fileURLToPath(new URL('module-bundle-loader.cjs', import.meta.url)),
  'utf8',
);

/**
 * `source` with every non-ASCII character written as its `\uXXXX` escape, which means the same in
 * the comments, strings, templates, regular expressions and identifiers tsc emits. A file of ASCII
 * only is read into a one-byte string; one `µ` makes the whole of it two bytes a character.
 */
function asciiOnly(source) {
  return source.replace(
    /[^\0-\x7f]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** The modules `entry` loads when it loads (itself excluded), as paths relative to `dir`. */
function eagerClosure(dir, entry) {
  const found = new Map();
  const visit = (rel) => {
    const source = readFileSync(join(dir, rel), 'utf8');
    if (rel !== entry) found.set(rel, asciiOnly(source));
    for (const [, request] of source.matchAll(EAGER_REQUIRE)) {
      const target = posix.join(posix.dirname(rel), request);
      if (!found.has(target) && existsSync(join(dir, target))) visit(target);
    }
  };
  visit(entry);
  return found;
}

/** `{ __proto__: null, "./x.js": "dir/x.js", … }`: the relative requests of `rel` the bundle holds. */
function bundledRequests(rel, source, modules) {
  const pairs = [];
  for (const [, request] of source.matchAll(RELATIVE_REQUIRE)) {
    const target = posix.join(posix.dirname(rel), request);
    if (modules.has(target)) pairs.push(`${JSON.stringify(request)}: ${JSON.stringify(target)}`);
  }
  return `{ ${['__proto__: null', ...new Set(pairs)].join(', ')} }`;
}

/**
 * Writes `<entry name>-modules.js` next to `entry` (relative to `dir`), the loader of every module it
 * loads at start, and `<entry name>-modules.txt`, their sources one after another, and rewrites
 * `entry` to take them from there. Returns how many modules it bundled. The sources are a text file
 * read in one piece, not string literals of the loader: V8 would parse and keep those as well, which
 * cost a start a few milliseconds and megabytes.
 */
export function bundleEntryModules(dir, entry) {
  const modules = eagerClosure(dir, entry);
  const bundleName = entry.replace(/\.js$/, '-modules.js');
  const sourcesName = entry.replace(/\.js$/, '-modules.txt');
  let offset = 0;
  const entries = [...modules].map(([rel, source]) => {
    const requests = bundledRequests(rel, source, modules);
    const range = `${offset}, ${offset + source.length}`;
    offset += source.length;
    return `  ${JSON.stringify(rel)}: [${range}, ${requests}],`;
  });
  writeFileSync(join(dir, sourcesName), [...modules.values()].join(''));
  writeFileSync(
    join(dir, bundleName),
    `${loaderSource}\nmodule.exports = createBundleLoader(__dirname, ${JSON.stringify(sourcesName)}, {\n${entries.join('\n')}\n});\n`,
  );
  // The entry's own relative requires go to the bundle; on the line of "use strict", so its lines
  // (and its source map) stay where they were.
  const source = readFileSync(join(dir, entry), 'utf8');
  writeFileSync(
    join(dir, entry),
    source
      .replace(
        /^"use strict";\n/,
        `"use strict"; const bundled = require("./${posix.basename(bundleName)}");\n`,
      )
      .replace(RELATIVE_REQUIRE, (whole, request) =>
        modules.has(posix.join(posix.dirname(entry), request))
          ? `bundled.load(${JSON.stringify(posix.join(posix.dirname(entry), request))})`
          : whole,
      ),
  );
  return modules.size;
}
