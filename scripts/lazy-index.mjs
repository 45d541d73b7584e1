// Rewrites tsc's CommonJS barrel (dist/cjs/index.js) so each module it re-exports is required on the
// first read of one of its exports, not when the package is required: `require('otel-circuit-breaker')`
// then costs what the app uses (a CircuitBreaker does not load the config schema, the admin endpoint
// or the OpenTelemetry instrumentation base). The exported names stay plain enumerable properties,
// read through the same getters tsc writes, so `Object.keys`, destructuring and the ESM wrapper see
// exactly the names they saw before.
import { readFileSync, writeFileSync } from 'node:fs';

const REQUIRE_LINE = /^var (\w+) = require\(("[^"]+")\);$/gm;

export function makeIndexLazy(path) {
  const source = readFileSync(path, 'utf8');
  const modules = new Map([...source.matchAll(REQUIRE_LINE)].map((m) => [m[1], m[2]]));
  if (modules.size === 0) throw new Error(`${path}: no re-exported modules found to load lazily`);
  let lazy = source.replace(REQUIRE_LINE, (_, name, request) => {
    return `let ${name}_loaded;\nconst ${name} = () => (${name}_loaded ??= require(${request}));`;
  });
  let getters = 0;
  lazy = lazy.replace(/get: function \(\) \{ return (\w+)\./g, (whole, name) => {
    if (!modules.has(name)) return whole;
    getters++;
    return `get: function () { return ${name}().`;
  });
  if (getters === 0) throw new Error(`${path}: no re-export getters found`);
  writeFileSync(path, lazy);
}
