// Makes marked imports of the compiled CommonJS load on first use. In src, an import preceded by a
// line comment starting `// On first use:` (the rest says why) stays a plain import for the type
// checker and the tests; in dist/cjs its `const m_1 = require("…");` becomes a function that
// requires the module the first time one of its exports is read, so a process that never reaches
// that code never loads the module (a Redis store, health checks over TLS, agent-SDK support).
// tsc's output reads every import through its namespace object (`m_1.name`, `(0, m_1.fn)(…)`,
// `new m_1.Class(…)`); each of those becomes a read through the function. Anything else (the
// namespace object passed around whole) fails the build rather than loading the module early.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const MARKER = '// On first use:';

/** The declaration that replaces `<decl> name = require(request);`: a function that requires once. */
const lazyRequire = (name, request) =>
  `let ${name}_loaded; const ${name} = () => (${name}_loaded ??= require(${request}));`;
const MARKED_REQUIRE = /^(\/\/ On first use:[^\n]*\n)const (\w+) = require\(("[^"]+")\);$/gm;

/** Rewrites one compiled file; returns how many imports it made lazy. */
export function makeImportsLazy(path) {
  const source = readFileSync(path, 'utf8');
  const names = [];
  let lazy = source.replace(MARKED_REQUIRE, (_, comment, name, request) => {
    names.push(name);
    return `${comment}${lazyRequire(name, request)}`;
  });
  const marked = source.split('\n').filter((line) => line.startsWith(MARKER)).length;
  if (marked !== names.length)
    throw new Error(
      `${path}: ${marked} "${MARKER}" comments but ${names.length} imports after one`,
    );
  for (const name of names) {
    // `new m_1.C(…)` must become `new (m_1().C)(…)`: `new m_1().C(…)` would call m_1 with `new`.
    lazy = lazy
      .replace(new RegExp(`\\bnew ${name}\\.(\\w+)`, 'g'), `new (${name}().$1)`)
      .replace(new RegExp(`\\b${name}\\.(?=\\w)`, 'g'), `${name}().`);
    const uses = lazy.match(new RegExp(`\\b${name}\\b(?!\\(\\)|_loaded)`, 'g')) ?? [];
    // The declaration itself is the one use that is neither a call nor `_loaded`.
    if (uses.length !== 1)
      throw new Error(
        `${path}: ${name} is used other than through its exports; it cannot load lazily`,
      );
  }
  if (names.length > 0) writeFileSync(path, lazy);
  return names.length;
}

/** Every .js file under `dir`. */
export function makeAllImportsLazy(dir) {
  let count = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) count += makeAllImportsLazy(path);
    else if (entry.endsWith('.js')) count += makeImportsLazy(path);
  }
  return count;
}

// Rewrites tsc's CommonJS barrel (dist/cjs/index.js) so each module it re-exports is required on the
// first read of one of its exports, not when the package is required: `require('otel-circuit-breaker')`
// then costs what the app uses (a CircuitBreaker does not load the config schema, the admin endpoint
// or the OpenTelemetry instrumentation base). The exported names stay plain enumerable properties,
// read through the same getters tsc writes, so `Object.keys`, destructuring and the ESM wrapper see
// exactly the names they saw before.
const BARREL_REQUIRE = /^var (\w+) = require\(("[^"]+")\);$/gm;

export function makeIndexLazy(path) {
  const source = readFileSync(path, 'utf8');
  const modules = new Map([...source.matchAll(BARREL_REQUIRE)].map((m) => [m[1], m[2]]));
  if (modules.size === 0) throw new Error(`${path}: no re-exported modules found to load lazily`);
  let lazy = source.replace(BARREL_REQUIRE, (_, name, request) => lazyRequire(name, request));
  let getters = 0;
  lazy = lazy.replace(/get: function \(\) \{ return (\w+)\./g, (whole, name) => {
    if (!modules.has(name)) return whole;
    getters++;
    return `get: function () { return ${name}().`;
  });
  if (getters === 0) throw new Error(`${path}: no re-export getters found`);
  writeFileSync(path, lazy);
}
