import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureMetricNames, ourMetricNames } from './dashboard-files.js';
import {
  RULE_TESTS_DIR,
  RULES_PATH,
  RUNBOOK_PATH,
  alertRules,
  allRules,
  shortenedAlertCopy,
} from './rule-files.js';

const ALERTS = [
  'CircuitBreakerOpen',
  'CircuitBreakerManyOpen',
  'CircuitBreakerHighFailureRate',
  'CircuitBreakerFlapping',
  'CircuitBreakerStoreUnavailable',
];
const SEVERITIES = new Set(['info', 'warning', 'critical']);

/** Runs promtool; never skipped: a missing promtool fails with how to get it. */
function promtool(args: string[]): { status: number; output: string } {
  const result = spawnSync('promtool', args, { encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(
      `promtool could not run (${result.error.message}). It comes from Debian's "prometheus" package: ` +
        '.ci/run installs it when missing (apt-get install prometheus).',
    );
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

const testFiles = () =>
  readdirSync(RULE_TESTS_DIR)
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join(RULE_TESTS_DIR, f));

describe('Prometheus alert rules', () => {
  it('promtool check rules accepts alerts.yml', () => {
    const { status, output } = promtool(['check', 'rules', RULES_PATH]);
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  });

  it('promtool test rules passes every unit test in grafana/prometheus/tests', () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThan(0);
    const { status, output } = promtool(['test', 'rules', ...files]);
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });

  it('the unit tests have a firing and a not-firing case for every alert', () => {
    const cases = new Map<string, { firing: number; silent: number }>();
    for (const file of testFiles()) {
      const doc = parse(readFileSync(file, 'utf8')) as {
        tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts?: unknown[] }> }>;
      };
      for (const t of doc.tests.flatMap((x) => x.alert_rule_test ?? [])) {
        const c = cases.get(t.alertname) ?? { firing: 0, silent: 0 };
        if ((t.exp_alerts ?? []).length > 0) c.firing++;
        else c.silent++;
        cases.set(t.alertname, c);
      }
    }
    for (const alert of ALERTS) {
      expect(cases.get(alert)?.firing, `${alert} firing case`).toBeGreaterThan(0);
      expect(cases.get(alert)?.silent, `${alert} not-firing case`).toBeGreaterThan(0);
    }
  });

  it('defines exactly the five alerts, each with severity, summary, description and a runbook anchor that exists', () => {
    const rules = alertRules();
    expect(rules.map((r) => r.alert).sort()).toEqual([...ALERTS].sort());
    const runbook = readFileSync(RUNBOOK_PATH, 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]!
          .trim()
          .toLowerCase()
          .replace(/[^a-z0-9 -]/g, '')
          .replace(/ /g, '-'),
      ),
    );
    for (const rule of rules) {
      expect(SEVERITIES.has(rule.labels?.severity ?? ''), `${rule.alert} severity`).toBe(true);
      expect(rule.annotations?.summary, `${rule.alert} summary`).toBeTruthy();
      expect(rule.annotations?.description, `${rule.alert} description`).toBeTruthy();
      const url = rule.annotations?.runbook_url ?? '';
      expect(url, `${rule.alert} runbook_url`).toMatch(/\/grafana\/RUNBOOK\.md#[a-z0-9-]+$/);
      const anchor = url.slice(url.indexOf('#') + 1);
      expect(anchor).toBe(rule.alert!.toLowerCase());
      expect(anchors.has(anchor), `RUNBOOK.md has a heading for #${anchor}`).toBe(true);
      // Alerts about one breaker or one process name it and its instance.
      const text = `${rule.annotations?.summary} ${rule.annotations?.description}`;
      if (rule.alert !== 'CircuitBreakerManyOpen') expect(text).toContain('$labels.instance');
      if (rule.alert !== 'CircuitBreakerStoreUnavailable') {
        expect(text).toMatch(/circuit_breaker_name/);
      }
    }
  });

  it('uses only metric names of the golden scrape (test/fixtures/metrics.prom)', () => {
    const fixture = fixtureMetricNames();
    const used = new Set(allRules().flatMap((r) => ourMetricNames(r.expr)));
    expect(used.size).toBeGreaterThanOrEqual(4);
    for (const name of used) expect(fixture.has(name), name).toBe(true);
  });

  it('the end-to-end copy shortens every for: and keeps the expressions', () => {
    const copy = parse(shortenedAlertCopy('3s')) as {
      groups: Array<{ rules: Array<{ alert: string; expr: string; for?: string }> }>;
    };
    const rules = copy.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert).sort()).toEqual([...ALERTS].sort());
    for (const rule of rules) {
      expect(rule.for).toBe('3s');
      expect(rule.expr).toBe(alertRules().find((r) => r.alert === rule.alert)!.expr);
    }
  });
});
