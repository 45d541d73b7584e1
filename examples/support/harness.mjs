// Plumbing shared by the examples' run.mjs drivers: local upstreams, starting the app as a child
// process, reading its Prometheus endpoint. The apps themselves never import this file: they are
// written as a user would write them.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { createInterface } from 'node:readline';

/** A loopback port nobody listens on right now. */
export async function freePort() {
  const server = createNetServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return String(port);
}

/**
 * Port of the app's Prometheus endpoint: OTEL_EXPORTER_PROMETHEUS_PORT, else a free port (never
 * 9464 blindly: another process there would answer our scrapes with its own metrics).
 */
export const metricsPort = process.env.OTEL_EXPORTER_PROMETHEUS_PORT || (await freePort());

/** The app whose metrics `scrape()` reads; its pid is checked against the scrape's target_info. */
let currentApp;

/**
 * A loopback HTTP server on a free port. `handler(req, res, body, n)` answers the n-th request
 * (1-based) after its body has been read. `requests()` counts what really arrived.
 */
export async function startUpstream(handler) {
  let requests = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => handler(req, res, body, ++requests));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Writes a JSON answer. */
export function sendJson(res, status, body, headers = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/**
 * Starts `node <nodeArgs…>` (the same Node as this script) in `cwd` with `env` added to ours and
 * OTEL_EXPORTER_PROMETHEUS_PORT set. Its output is echoed with `prefix`; `lines` keeps stdout.
 */
export function startApp(nodeArgs, { env = {}, cwd, prefix = 'app  ' } = {}) {
  const child = spawn(process.execPath, nodeArgs, {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OTEL_EXPORTER_PROMETHEUS_PORT: metricsPort, ...env },
  });
  // Whatever way this driver ends (a failed check, an exception), the app must not outlive it.
  process.on('exit', () => child.kill('SIGKILL'));
  currentApp = child;
  const lines = [];
  const waiters = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    console.log(`${prefix}${line}`);
    for (const w of [...waiters]) if (w.pattern.test(line)) w.resolve(line);
  });
  createInterface({ input: child.stderr }).on('line', (line) => console.log(`${prefix}${line}`));
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal)),
  );
  return {
    child,
    lines,
    exited,
    /** Resolves with the first stdout line matching `pattern` (seen already or to come). */
    waitForLine(pattern, timeoutMs = 10_000) {
      const seen = lines.find((l) => pattern.test(l));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { pattern, resolve };
        waiters.push(waiter);
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiter.resolve = (line) => {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(waiter), 1);
          resolve(line);
        };
      });
    },
    /** Stops the app (SIGTERM) and waits for it. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * One scrape of the app's Prometheus endpoint, as samples `{ name, labels, value }` with the
 * labels as Prometheus has them (`circuit_breaker_name`, ...), or `[]` while the endpoint is not up
 * yet. Exits with FAIL when the endpoint belongs to another process (its target_info names another
 * pid): checks on someone else's metrics would prove nothing.
 */
export async function scrape(port = metricsPort) {
  let text;
  try {
    text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return [];
  }
  const pid = /^target_info\{.*\bprocess_pid="(\d+)"/m.exec(text)?.[1];
  if (currentApp !== undefined && pid !== String(currentApp.pid)) {
    console.log(
      `FAIL  the metrics at http://127.0.0.1:${port}/metrics come from process ${pid ?? '(unknown)'}, not the app (pid ${currentApp.pid}); set OTEL_EXPORTER_PROMETHEUS_PORT to a free port`,
    );
    process.exit(1);
  }
  const samples = [];
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{(.*)\} (\S+)$/.exec(line);
    if (m === null || !m[1].startsWith('circuit_breaker_')) continue;
    const labels = {};
    for (const [, key, value] of m[2].matchAll(/([a-z_]+)="([^"]*)"/g)) {
      if (!key.startsWith('otel_scope_')) labels[key] = value;
    }
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** The state of breaker `name` in a scrape (the `circuit_breaker_state` series whose value is 1). */
export function stateIn(samples, name) {
  return samples.find(
    (s) =>
      s.name === 'circuit_breaker_state' && s.labels.circuit_breaker_name === name && s.value === 1,
  )?.labels.circuit_breaker_state;
}

/** Sum of the samples of metric `name` whose labels include all of `labels` (full label names). */
export function total(samples, name, labels = {}) {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Prints the non-zero breaker series of a scrape, one per line, in Prometheus text form. */
export function printSeries(samples, filter = () => true) {
  for (const s of samples) {
    if (s.value === 0 || !filter(s)) continue;
    const labels = Object.entries(s.labels)
      .map(([k, v]) => `${k}="${v}"`)
      .join(',');
    console.log(`  ${s.name}{${labels}} ${s.value}`);
  }
}

/** Polls `check()` every `intervalMs` until it returns a truthy value or `timeoutMs` passes. */
export async function waitFor(check, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() >= deadline) return undefined;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Prints the verdict and exits: 0 when every check passed, 1 otherwise. */
export function finish(checks) {
  const failed = Object.entries(checks).filter(([, ok]) => !ok);
  console.log('');
  for (const [what, ok] of Object.entries(checks)) console.log(`${ok ? 'ok  ' : 'FAIL'}  ${what}`);
  console.log(failed.length === 0 ? 'PASS' : `FAIL (${failed.length} check(s) failed)`);
  process.exit(failed.length === 0 ? 0 : 1);
}
