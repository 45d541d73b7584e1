// Part of `npm run test:compat`: the edges of the `@opentelemetry/api` peer range, as a user meets
// them. The packed tarball is installed from the registry into a fresh app that pins the lowest, then
// the highest, published api version inside the range; the app runs under `--require` and
// `--import otel-circuit-breaker/register`, trips a breaker on a real upstream and serves the
// breaker's state on the Prometheus endpoint. The version just below the range must fail to install
// with npm's ERESOLVE naming our range (the message the README documents).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const range = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).peerDependencies[
  '@opentelemetry/api'
];
const npm = (args, cwd) =>
  spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd, encoding: 'utf8' });
const versionsIn = (spec) => {
  const out = execFileSync('npm', ['view', `@opentelemetry/api@${spec}`, 'version', '--json'], {
    encoding: 'utf8',
  }).trim();
  const key = (v) =>
    v
      .split(/[.-]/)
      .map((n) => n.padStart(8, '0'))
      .join('.');
  return (out === '' ? [] : [JSON.parse(out)].flat()).sort((a, b) => (key(a) < key(b) ? -1 : 1));
};
const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

// The app: an upstream that always answers 503, five fetches trip the default preset, the sixth
// is rejected by the breaker; under --require it also reads its own Prometheus endpoint.
const APP = `
const http = require('node:http');
const apiMain = require.resolve('@opentelemetry/api');
const apiDir = apiMain.slice(0, apiMain.lastIndexOf('@opentelemetry/api') + '@opentelemetry/api'.length);
const apiVersion = JSON.parse(require('node:fs').readFileSync(apiDir + '/package.json', 'utf8')).version;
const libDir = require('node:path').dirname(require.resolve('otel-circuit-breaker'));
const server = http.createServer((_, res) => { res.statusCode = 503; res.end(); });
server.listen(Number(process.env.UPSTREAM_PORT), '127.0.0.1', async () => {
  const url = 'http://127.0.0.1:' + process.env.UPSTREAM_PORT + '/';
  for (let i = 0; i < 5; i++) await (await fetch(url)).arrayBuffer();
  const rejected = await fetch(url).then(() => 'sent', (e) => e.cause && e.cause.code);
  let scrape = '';
  if (process.env.METRICS_PORT) {
    scrape = await (await fetch('http://127.0.0.1:' + process.env.METRICS_PORT + '/metrics')).text();
  }
  const open = /circuit_breaker_state\\{[^}]*circuit_breaker_state="open"[^}]*\\} 1/.test(scrape);
  const sameApi = require.resolve('@opentelemetry/api', { paths: [libDir] }) === apiMain;
  console.log(JSON.stringify({ api: apiVersion, sameApi, rejected, open }));
  server.close();
});
`;

export async function checkOtelApiRange() {
  const inRange = versionsIn(range);
  const edges = [...new Set([inRange[0], inRange.at(-1)])];
  const below = versionsIn(`<${inRange[0]}`).at(-1);
  console.log(`\ntest:compat: @opentelemetry/api ${range}: published ${inRange.join(', ')}`);

  const work = mkdtempSync(join(tmpdir(), 'ocb-api-compat-'));
  const failures = [];
  try {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    const [{ filename }] = JSON.parse(
      execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
        cwd: root,
        encoding: 'utf8',
      }),
    );
    const tarball = join(work, filename);
    const appFor = (version) => {
      const dir = mkdtempSync(join(work, `api-${version}-`));
      writeFileSync(join(dir, 'package.json'), '{ "name": "app", "private": true }\n');
      writeFileSync(join(dir, 'app.cjs'), APP);
      return { dir, install: npm(['install', tarball, `@opentelemetry/api@${version}`], dir) };
    };

    for (const version of edges) {
      const { dir, install } = appFor(version);
      if (install.status !== 0) {
        failures.push(`api ${version}: npm install failed\n${install.stderr}`);
        continue;
      }
      for (const entry of ['--require', '--import']) {
        const [upstream, metrics] = [await freePort(), await freePort()];
        const run = spawnSync(
          process.execPath,
          [entry, 'otel-circuit-breaker/register', 'app.cjs'],
          {
            cwd: dir,
            encoding: 'utf8',
            env: {
              ...process.env,
              UPSTREAM_PORT: String(upstream),
              CIRCUIT_BREAKER_HOSTS: `127.0.0.1:${upstream}`,
              OTEL_EXPORTER_PROMETHEUS_PORT: String(metrics),
              METRICS_PORT: entry === '--require' ? String(metrics) : '',
            },
          },
        );
        const line = run.stdout.trim().split('\n').at(-1) ?? '';
        const want = {
          api: version,
          sameApi: true,
          rejected: 'ECIRCUITOPEN',
          open: entry === '--require',
        };
        const ok = run.status === 0 && line === JSON.stringify(want);
        console.log(`test:compat: api ${version} ${entry}: ${ok ? 'ok' : 'FAIL'} ${line}`);
        if (!ok) failures.push(`api ${version} ${entry}: ${line}\n${run.stderr}`);
      }
    }

    if (below !== undefined) {
      const { install } = appFor(below);
      const peerLine = `peer @opentelemetry/api@"${range}" from otel-circuit-breaker@`;
      const ok =
        install.status !== 0 &&
        /ERESOLVE/.test(install.stderr) &&
        install.stderr.includes(peerLine);
      console.log(
        `test:compat: api ${below} (below the range): ${ok ? 'refused by npm as documented' : 'FAIL'}`,
      );
      if (!ok) failures.push(`api ${below}: expected ERESOLVE naming ${range}\n${install.stderr}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  for (const f of failures) console.error(`test:compat: ${f}`);
  return failures.length === 0;
}
