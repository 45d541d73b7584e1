/**
 * A real Prometheus server (Debian's `prometheus` package) for the end-to-end test: own config,
 * own data directory, a free port, and a small client for its HTTP API.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';

export interface PrometheusOptions {
  readonly dir: string;
  readonly port: number;
  readonly jobName: string;
  readonly scrapeTarget: string;
  readonly ruleFiles: readonly string[];
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface AlertView {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly state: 'pending' | 'firing' | 'inactive';
}

export interface RuleView {
  readonly name: string;
  readonly health: string;
  readonly lastError?: string;
  readonly type: string;
}

/** Fails with how to get prometheus when the binary is missing (the test never skips). */
export function requirePrometheusBinary(): void {
  const result = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(
      `prometheus could not run (${result.error?.message ?? result.stderr}). It comes from Debian's ` +
        '"prometheus" package: .ci/run installs it when missing (apt-get install prometheus).',
    );
  }
}

export class PrometheusServer {
  private child: ChildProcess | undefined;
  private output = '';
  readonly base: string;

  constructor(private readonly options: PrometheusOptions) {
    this.base = `http://127.0.0.1:${options.port}`;
  }

  start(): void {
    const configPath = join(this.options.dir, 'prometheus.yml');
    writeFileSync(
      configPath,
      stringify({
        global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
        rule_files: this.options.ruleFiles,
        scrape_configs: [
          {
            job_name: this.options.jobName,
            static_configs: [{ targets: [this.options.scrapeTarget] }],
          },
        ],
      }),
    );
    this.child = spawn(
      'prometheus',
      [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(this.options.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.options.port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-10_000);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
  }

  /** What the process printed (warnings and errors), for failure messages. */
  get log(): string {
    return this.output;
  }

  get exited(): boolean {
    return this.child?.exitCode !== null && this.child?.exitCode !== undefined;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  private async api<T>(path: string): Promise<T> {
    const response = await fetch(`${this.base}${path}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? response.status}`);
    return body.data;
  }

  async ready(): Promise<boolean> {
    try {
      return (await fetch(`${this.base}/-/ready`)).ok;
    } catch {
      return false;
    }
  }

  /** Instant query at now; throws on a PromQL error (parse errors included). */
  async query(expr: string): Promise<Sample[]> {
    const data = await this.api<{ resultType: string; result: Sample[] | [number, string] }>(
      `/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    if (data.resultType === 'scalar')
      return [{ metric: {}, value: data.result as [number, string] }];
    return data.result as Sample[];
  }

  async targetsUp(): Promise<boolean> {
    const data = await this.api<{ activeTargets: Array<{ health: string }> }>('/api/v1/targets');
    return data.activeTargets.length > 0 && data.activeTargets.every((t) => t.health === 'up');
  }

  async alerts(): Promise<AlertView[]> {
    return (await this.api<{ alerts: AlertView[] }>('/api/v1/alerts')).alerts;
  }

  async rules(): Promise<Array<RuleView & { file: string; group: string }>> {
    const data = await this.api<{
      groups: Array<{ name: string; file: string; rules: RuleView[] }>;
    }>('/api/v1/rules');
    return data.groups.flatMap((g) => g.rules.map((r) => ({ ...r, file: g.file, group: g.name })));
  }
}
