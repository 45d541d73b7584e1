import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { eventually } from '../store/redis-harness.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP = fileURLToPath(new URL('./fixtures/fleet-app.cjs', import.meta.url));

/** Every line a member wrote (JSON), in order. */
export interface MemberMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/**
 * A loopback upstream whose answer the test sets per member (`x-member` header): `ok` (200),
 * `fail` (500) or `hold` (kept waiting until `release()`). Counts requests per member.
 */
export class FlakyUpstream {
  private server: Server | undefined;
  readonly counts = new Map<string, number>();
  private readonly modes = new Map<string, 'ok' | 'fail' | 'hold'>();
  private defaultMode: 'ok' | 'fail' | 'hold' = 'ok';
  private held: ServerResponse[] = [];
  port = 0;

  static async start(): Promise<FlakyUpstream> {
    const u = new FlakyUpstream();
    u.server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => u.answer(req, res));
    await new Promise<void>((resolve) => u.server!.listen(0, '127.0.0.1', resolve));
    u.port = (u.server.address() as { port: number }).port;
    return u;
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  /** Sets the answer for one member, or for everyone without an answer of their own. */
  set(mode: 'ok' | 'fail' | 'hold', member?: string): void {
    if (member === undefined) this.defaultMode = mode;
    else this.modes.set(member, mode);
  }

  requests(member?: string): number {
    if (member !== undefined) return this.counts.get(member) ?? 0;
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** Answers every held request with `status`. */
  release(status = 200): void {
    for (const res of this.held.splice(0)) res.writeHead(status).end(status === 200 ? 'ok' : 'no');
  }

  async close(): Promise<void> {
    this.release(503);
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const member = String(req.headers['x-member'] ?? '?');
    this.counts.set(member, (this.counts.get(member) ?? 0) + 1);
    const mode = this.modes.get(member) ?? this.defaultMode;
    if (mode === 'hold') this.held.push(res);
    else if (mode === 'fail') res.writeHead(500).end('failing');
    else res.writeHead(200).end('ok');
  }
}

/** One app process of the fleet (test/fleet/fixtures/fleet-app.cjs under --require register). */
export class FleetMember {
  readonly messages: MemberMessage[] = [];
  readonly stderr: string[] = [];
  private nextId = 1;
  readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    let buffer = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        try {
          this.messages.push(JSON.parse(line) as MemberMessage);
        } catch {
          this.messages.push({ type: 'text', line });
        }
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => this.stderr.push(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts a member and waits for its `ready` line. `env` adds to the base config. */
  static async start(name: string, env: Record<string, string>): Promise<FleetMember> {
    const child = spawn(
      process.execPath,
      ['--unhandled-rejections=strict', '--require', 'otel-circuit-breaker/register', APP],
      {
        cwd: REPO_ROOT,
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          FLEET_MEMBER: name,
          OTEL_SDK_DISABLED: 'true',
          OTEL_METRICS_EXPORTER: 'none',
          OTEL_TRACES_EXPORTER: 'none',
          OTEL_LOGS_EXPORTER: 'none',
          CIRCUIT_BREAKER_JITTER_RATIO: '0',
          ...env,
        },
      },
    );
    const m = new FleetMember(name, child);
    await m.waitFor((msg) => msg.type === 'ready', 'ready', 20_000);
    return m;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(command: Record<string, unknown>): number {
    const id = this.nextId++;
    this.child.stdin!.write(`${JSON.stringify({ id, ...command })}\n`);
    return id;
  }

  /** The first message (from index `from`) matching `match`, waiting for it. */
  async waitFor(
    match: (m: MemberMessage) => boolean,
    what: string,
    timeoutMs = 10_000,
    from = 0,
  ): Promise<MemberMessage> {
    let found: MemberMessage | undefined;
    await eventually(
      () => {
        found = this.messages.slice(from).find(match);
        if (found === undefined && this.child.exitCode !== null)
          throw new Error(`${this.name} exited (${this.child.exitCode}): ${this.stderr.join('')}`);
        return found !== undefined;
      },
      `${this.name}: ${what}`,
      timeoutMs,
    );
    return found!;
  }

  /** Sends a command and waits for its `calls` report. */
  async request(command: Record<string, unknown>, timeoutMs = 15_000): Promise<MemberMessage> {
    const id = this.send(command);
    return this.waitFor(
      (m) => m.type === 'calls' && m.id === id,
      `${String(command.op)} #${id}`,
      timeoutMs,
    );
  }

  transitions(): MemberMessage[] {
    return this.messages.filter((m) => m.type === 'transition');
  }

  /** Asks it to exit and resolves to its exit code (0 = no unhandled rejection, no crash). */
  async exit(): Promise<number | null> {
    if (this.child.exitCode === null) this.send({ op: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** Base env for members sharing one Redis under one key prefix, protecting the upstream's host. */
export function fleetEnv(
  upstream: FlakyUpstream,
  redisUrl: string,
  keyPrefix: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    UPSTREAM_URL: upstream.url,
    CIRCUIT_BREAKER_HOSTS: upstream.host,
    CIRCUIT_BREAKER_REDIS_URL: redisUrl,
    CIRCUIT_BREAKER_REDIS_KEY_PREFIX: keyPrefix,
    CIRCUIT_BREAKER_REDIS_FLUSH_INTERVAL_MS: '50',
    CIRCUIT_BREAKER_REDIS_RESYNC_INTERVAL_MS: '1000',
    CIRCUIT_BREAKER_REDIS_STORE_TIMEOUT_MS: '200',
    ...extra,
  };
}
