import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './dashboard-files.js';

interface Service {
  image: string;
  volumes?: string[];
  environment?: Record<string, string>;
  command?: string[];
}

const compose = () =>
  parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, Service>;
  };
const yamlAt = <T>(path: string) => parse(readFileSync(join(ROOT, path), 'utf8')) as T;

/** `host:container[:ro]` bind mounts of a service, as { source (absolute), target }. */
function mounts(service: Service): Array<{ source: string; target: string }> {
  return (service.volumes ?? []).map((v) => {
    const [source, target] = v.split(':');
    return { source: resolve(ROOT, source!), target: target! };
  });
}

function run(command: string, args: string[], pkg: string) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(
      `${command} could not run (${result.error.message}). It comes from Debian's "${pkg}" package: ` +
        `.ci/run installs it when missing (apt-get install ${pkg}).`,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('docker-compose.yml full stack', () => {
  it('docker-compose config -q accepts it', () => {
    const { status, output } = run('docker-compose', ['config', '-q'], 'docker-compose');
    expect(status, output).toBe(0);
  });

  it('uses the official images and mounts only files that exist', () => {
    const { services } = compose();
    expect(Object.keys(services).sort()).toEqual([
      'app',
      'app-2',
      'grafana',
      'prometheus',
      'redis',
      'upstream',
    ]);
    expect(services.redis!.image).toMatch(/^redis:7/);
    expect(services['app-2']!.image).toMatch(/^node:24-slim$/);
    expect(services.prometheus!.image).toMatch(/^prom\/prometheus:/);
    expect(services.grafana!.image).toMatch(/^grafana\/grafana:/);
    expect(services.app!.image).toMatch(/^node:24-slim$/);
    expect(services.upstream!.image).toMatch(/^node:24-slim$/);
    for (const service of Object.values(services)) {
      for (const { source } of mounts(service)) expect(existsSync(source), source).toBe(true);
    }
  });

  it('two replicas of the app share breaker state through the redis service', () => {
    const { services } = compose();
    const [a, b] = [services.app!, services['app-2']!];
    expect(b.command).toEqual(a.command);
    for (const app of [a, b]) {
      expect(app.environment!.CIRCUIT_BREAKER_REDIS_URL).toBe('redis://redis:6379');
      expect(app.environment!.CIRCUIT_BREAKER_HOSTS).toBe(a.environment!.CIRCUIT_BREAKER_HOSTS);
    }
  });

  it('the app runs under --require register with metrics where Prometheus scrapes them', () => {
    const { services } = compose();
    const app = services.app!;
    expect(app.command).toContain('--require');
    expect(app.command!.join(' ')).toMatch(/register\.js/);
    const config = yamlAt<{
      rule_files: string[];
      scrape_configs: Array<{ static_configs: Array<{ targets: string[] }> }>;
    }>('grafana/prometheus/prometheus.yml');
    // Both replicas are scraped, each on the port its own env gives the Prometheus endpoint.
    const replica = services['app-2']!;
    expect(config.scrape_configs[0]!.static_configs[0]!.targets).toEqual([
      `app:${app.environment!.OTEL_EXPORTER_PROMETHEUS_PORT}`,
      `app-2:${replica.environment!.OTEL_EXPORTER_PROMETHEUS_PORT ?? '9464'}`,
    ]);
    // The rule file Prometheus loads is the shipped alerts.yml.
    const ruleMount = mounts(services.prometheus!).find((m) => m.target === config.rule_files[0]);
    expect(ruleMount?.source).toBe(join(ROOT, 'grafana', 'prometheus', 'alerts.yml'));
    const { status, output } = run(
      'promtool',
      ['check', 'config', '--syntax-only', 'grafana/prometheus/prometheus.yml'],
      'prometheus',
    );
    expect(status, output).toBe(0);
  });

  it('Grafana provisioning points at the compose Prometheus and the mounted dashboards', () => {
    const { services } = compose();
    const grafana = mounts(services.grafana!);
    expect(grafana.find((m) => m.target === '/etc/grafana/provisioning')?.source).toBe(
      join(ROOT, 'grafana', 'provisioning'),
    );
    const provider = yamlAt<{ providers: Array<{ type: string; options: { path: string } }> }>(
      'grafana/provisioning/dashboards/dashboards.yml',
    ).providers[0]!;
    expect(provider.type).toBe('file');
    expect(grafana.find((m) => m.target === provider.options.path)?.source).toBe(
      join(ROOT, 'grafana', 'dashboards'),
    );
    const datasource = yamlAt<{ datasources: Array<{ type: string; url: string }> }>(
      'grafana/provisioning/datasources/prometheus.yml',
    ).datasources[0]!;
    expect(datasource.type).toBe('prometheus');
    expect(datasource.url).toBe('http://prometheus:9090');
    expect(services.grafana!.environment!.GF_AUTH_ANONYMOUS_ENABLED).toBe('true');
    expect(services.grafana!.environment!.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
  });
});
