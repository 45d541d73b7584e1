// redis-server processes of bench/fleet.mjs's own (a single node, or a 3-master Cluster) on free
// ports, and the counters read from them: INFO commandstats and INFO cpu.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function cli(port, ...args) {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

async function waitFor(check, what) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function serve(port, extra = []) {
  // Clients are many (two connections per simulated instance): room for 200+ of them and more.
  return spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'].concat(
      ['--maxclients', '10000'],
      extra,
    ),
    { stdio: 'ignore' },
  );
}

/** One redis-server, or three masters forming a Cluster (`redis-cli --cluster create`). */
export async function startRedis({ cluster = false } = {}) {
  const children = [];
  const ports = [];
  const dir = mkdtempSync(join(tmpdir(), 'cb-fleet-bench-'));
  for (let i = 0; i < (cluster ? 3 : 1); i++) {
    const port = await freePort();
    ports.push(port);
    const extra = cluster
      ? ['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)]
      : [];
    children.push(serve(port, [...extra, '--dir', dir]));
  }
  for (const p of ports) await waitFor(async () => (await cli(p, 'ping')) === 'PONG', `redis ${p}`);
  if (cluster) {
    await run('redis-cli', [
      '--cluster',
      'create',
      ...ports.map((p) => `127.0.0.1:${p}`),
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const p of ports)
      await waitFor(
        async () => (await cli(p, 'cluster', 'info')).includes('cluster_state:ok'),
        `cluster ${p}`,
      );
  }
  return {
    ports,
    target: cluster
      ? { clusterNodes: ports.map((p) => `127.0.0.1:${p}`) }
      : { url: `redis://127.0.0.1:${ports[0]}` },
    version: (await cli(ports[0], 'info', 'server')).match(/redis_version:(\S+)/)?.[1],
    async stop() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Commands Redis ran so far by name (scripts' own calls included), and its CPU seconds. */
export async function counters(port) {
  const [stats, cpu] = await Promise.all([
    cli(port, 'info', 'commandstats'),
    cli(port, 'info', 'cpu'),
  ]);
  const commands = {};
  for (const m of stats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) commands[m[1]] = Number(m[2]);
  const num = (k) => Number(cpu.match(new RegExp(`^${k}:([\\d.]+)`, 'm'))?.[1] ?? 0);
  return { commands, cpu: num('used_cpu_sys') + num('used_cpu_user'), at: Date.now() };
}

/** What ran between two `counters()` readings, without the bench's own INFO calls. */
export function delta(before, after) {
  const commands = {};
  for (const [k, v] of Object.entries(after.commands)) {
    const d = v - (before.commands[k] ?? 0);
    if (d > 0 && k !== 'info' && !k.startsWith('cluster') && !k.startsWith('config'))
      commands[k] = d;
  }
  return { commands, cpu: after.cpu - before.cpu, seconds: (after.at - before.at) / 1000 };
}
