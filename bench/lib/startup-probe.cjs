// Preloaded (`--require`) before `otel-circuit-breaker/register` in the profiled runs of
// bench/startup.mjs, never in the timed ones: times every module load and attributes it to its
// package (exclusive of the modules it loads in turn, so a package is charged its own compile and
// top-level code), and times a few named start-up phases by wrapping the functions that run them.
// At exit it writes what it saw, as JSON, to the file named by STARTUP_PROBE_OUT.
'use strict';
const Module = require('node:module');
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const OUR_DIST = '/node_modules/otel-circuit-breaker/dist/cjs/';
const t0 = performance.now();
const loadMs = new Map();
const pending = [];

/** `ioredis`, `@opentelemetry/api`, `otel-circuit-breaker/config` (our dist by folder), `node:*`. */
function packageOf(filename) {
  if (!filename.includes('/')) return 'node (built-in)';
  const ours = filename.lastIndexOf(OUR_DIST);
  if (ours >= 0) {
    if (filename.endsWith('/auto/sdk-parts.js')) return 'OpenTelemetry SDK parts (bundled)';
    const rest = filename.slice(ours + OUR_DIST.length).split('/');
    return `otel-circuit-breaker/${rest.length > 1 ? rest[0] : rest[0].replace(/\.js$/, '')}`;
  }
  const at = filename.lastIndexOf('/node_modules/');
  if (at < 0) return 'app';
  const parts = filename.slice(at + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

// Start-up phases: a function of one of our files (or a package's class method), timed inclusive of
// what it loads. A name that no longer exists is reported as not seen, never breaks the run.
const PHASES = [
  { label: 'config: read, validate, resolve', file: 'config/load-config.js', fn: 'loadConfig' },
  {
    label: 'Prometheus endpoint',
    file: 'auto/prometheus-endpoint.js',
    fn: 'startPrometheusEndpoint',
  },
  {
    label: 'SDK start (NodeSDK.start)',
    pkg: '@opentelemetry/sdk-node',
    cls: 'NodeSDK',
    method: 'start',
  },
];
const phaseMs = {};

function timed(label, fn) {
  return function timedPhase(...args) {
    const start = performance.now();
    try {
      return fn.apply(this, args);
    } finally {
      phaseMs[label] = (phaseMs[label] ?? 0) + performance.now() - start;
    }
  };
}

function wrapPhases(filename, exports) {
  for (const phase of PHASES) {
    if (phase.file !== undefined && filename.endsWith(OUR_DIST + phase.file)) {
      const fn = exports?.[phase.fn];
      if (typeof fn !== 'function') continue;
      // tsc's CommonJS output calls another module's function through its exports object.
      Object.defineProperty(exports, phase.fn, { value: timed(phase.label, fn), enumerable: true });
    } else if (phase.pkg !== undefined && packageOf(filename) === phase.pkg) {
      const proto = exports?.[phase.cls]?.prototype;
      if (proto === undefined || typeof proto[phase.method] !== 'function') continue;
      if (proto[phase.method].name === 'timedPhase') continue;
      proto[phase.method] = timed(phase.label, proto[phase.method]);
    }
  }
}

/** Runs `load` (one module's load) and charges its time, less that of modules it loads, to its package. */
function timedLoad(filename, load) {
  const start = performance.now();
  pending.push(0);
  try {
    const exports = load();
    wrapPhases(filename, exports);
    return exports;
  } finally {
    const inclusive = performance.now() - start;
    const inChildren = pending.pop();
    const name = packageOf(filename);
    loadMs.set(name, (loadMs.get(name) ?? 0) + inclusive - inChildren);
    if (pending.length > 0) pending[pending.length - 1] += inclusive;
  }
}

const originalLoad = Module._load;
Module._load = function probedLoad(request, parent, isMain) {
  let filename;
  try {
    filename = Module._resolveFilename(request, parent, isMain);
  } catch {
    filename = request;
  }
  return timedLoad(filename, () => originalLoad.apply(this, arguments));
};

// Modules of our register bundle (dist/cjs/register-modules.js) are compiled without Module._load:
// the bundle gives each its own `require`, which tells them apart.
const originalCompile = Module.prototype._compile;
Module.prototype._compile = function probedCompile(...args) {
  if (!Object.hasOwn(this, 'require')) return originalCompile.apply(this, args);
  return timedLoad(this.filename, () => {
    originalCompile.apply(this, args);
    return this.exports;
  });
};

process.on('exit', () => {
  const out = process.env.STARTUP_PROBE_OUT;
  if (out === undefined) return;
  writeFileSync(
    out,
    JSON.stringify({
      loadMs: Object.fromEntries(loadMs),
      phaseMs,
      untilExitMs: performance.now() - t0,
    }),
  );
});
