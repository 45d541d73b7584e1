/**
 * Reading the committed dashboards and their queries, for the dashboard test and the real
 * Prometheus end-to-end test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DASHBOARD_DIR, buildDashboards } from '../../scripts/grafana/dashboards.js';

export const ROOT = join(__dirname, '..', '..');

export interface PanelQuery {
  readonly dashboard: string;
  readonly panelId: number;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  readonly instant: boolean;
}

/** Panel as stored in JSON: targets are plain objects. */
export interface JsonPanel {
  readonly id?: number;
  readonly type: string;
  readonly title?: string;
  readonly description?: string;
  readonly datasource?: { type?: string; uid?: string };
  readonly gridPos?: dashboard.GridPos;
  readonly targets?: ReadonlyArray<{
    refId?: string;
    expr?: string;
    instant?: boolean;
    datasource?: { type?: string; uid?: string };
  }>;
  readonly panels?: readonly JsonPanel[];
}

export interface JsonDashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly JsonPanel[];
  readonly templating: { list: ReadonlyArray<{ name: string; type: string }> };
}

export const DASHBOARD_FILES = Object.keys(buildDashboards());

export function readDashboardText(file: string): string {
  return readFileSync(join(ROOT, DASHBOARD_DIR, file), 'utf8');
}

export function readDashboard(file: string): JsonDashboard {
  return JSON.parse(readDashboardText(file)) as JsonDashboard;
}

/** Every panel, rows' nested panels included, rows themselves excluded. */
export function leafPanels(d: JsonDashboard): JsonPanel[] {
  return d.panels.flatMap((p) => (p.type === 'row' ? [...(p.panels ?? [])] : [p]));
}

export function panelQueries(file: string): PanelQuery[] {
  const d = readDashboard(file);
  return leafPanels(d).flatMap((panel) =>
    (panel.targets ?? []).map((t) => ({
      dashboard: d.title,
      panelId: panel.id ?? -1,
      panel: panel.title ?? '',
      refId: t.refId ?? '',
      expr: t.expr ?? '',
      instant: t.instant === true,
    })),
  );
}

/** Metric names the golden scrape (test/fixtures/metrics.prom) declares with `# TYPE`. */
export function fixtureMetricNames(): Set<string> {
  const text = readFileSync(join(ROOT, 'test', 'fixtures', 'metrics.prom'), 'utf8');
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
}

/** Identifiers in a PromQL expression that look like our metric names (selectors always carry `{`). */
export function ourMetricNames(expr: string): string[] {
  const prefix = /[a-z_]+/.exec(fixtureMetricPrefix())![0];
  return [...expr.matchAll(new RegExp(`\\b(${prefix}[a-z0-9_]*)\\b(?=\\s*[{\\[])`, 'g'))].map(
    (m) => m[1]!,
  );
}

function fixtureMetricPrefix(): string {
  // The common prefix of every fixture name (`circuit_breaker_`), not typed here.
  const names = [...fixtureMetricNames()];
  let prefix = names[0] ?? '';
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
