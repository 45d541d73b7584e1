import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The shared server (never stopped or flushed by tests): REDIS_URL or 127.0.0.1:6379. */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test (or run) uses, so tests can share one server. */
export function uniquePrefix(label: string): string {
  return `cbtest:${label}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        resolve(typeof address === 'object' && address !== null ? address.port : 0),
      );
    });
  });
}

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args]);
  return stdout.trim();
}

async function waitFor(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A redis-server of the test's own, on a free port: may be killed and restarted. */
export class OwnRedis {
  private child: ChildProcess | undefined;
  constructor(
    readonly port: number,
    /** `requirepass` of the server; CONFIG SET requirepass changes it, see `cli`. */
    public password?: string,
  ) {}

  static async start(options: { requirepass?: string } = {}): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort(), options.requirepass);
    await r.start();
    return r;
  }

  /** redis-cli against this server, authenticated with its current password. */
  cli(...args: string[]): Promise<string> {
    const auth = this.password === undefined ? [] : ['--no-auth-warning', '-a', this.password];
    return redisCli(this.port, ...auth, ...args);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--enable-debug-command',
        'local',
        ...(this.password === undefined ? [] : ['--requirepass', this.password]),
      ],
      {
        stdio: 'ignore',
      },
    );
    await waitFor(async () => (await this.cli('ping')) === 'PONG', `redis on ${this.port}`);
  }

  /** kill -9: no goodbye to clients. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A 3-master Redis Cluster on free ports, started by the test and torn down after. */
export class OwnCluster {
  private readonly children: ChildProcess[] = [];
  private dir = '';
  readonly ports: number[] = [];

  get nodes(): string[] {
    return this.ports.map((p) => `127.0.0.1:${p}`);
  }

  static async start(): Promise<OwnCluster> {
    const c = new OwnCluster();
    await c.start();
    return c;
  }

  private async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'cb-cluster-'));
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      this.ports.push(port);
      const child = spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(this.dir, `nodes-${port}.conf`),
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          this.dir,
        ],
        { stdio: 'ignore' },
      );
      this.children.push(child);
    }
    for (const p of this.ports)
      await waitFor(async () => (await redisCli(p, 'ping')) === 'PONG', `cluster node ${p}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...this.nodes,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    for (const p of this.ports) {
      await waitFor(
        async () => (await redisCli(p, 'cluster', 'info')).includes('cluster_state:ok'),
        `cluster_state:ok on ${p}`,
      );
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map((child) => {
        if (child.exitCode !== null) return undefined;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        return exited;
      }),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls `check` until it is true (no timing assertion: only a generous upper bound). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what = 'condition',
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(async () => await check(), what, timeoutMs);
}
