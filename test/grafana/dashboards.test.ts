import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../../scripts/grafana/dashboards.js';
import { VAR } from '../../scripts/grafana/promql.js';
import { PROMETHEUS_METRIC_NAMES } from '../../src/telemetry/prometheus-names.js';
import {
  DASHBOARD_FILES,
  fixtureMetricNames,
  leafPanels,
  ourMetricNames,
  panelQueries,
  readDashboard,
  readDashboardText,
} from './dashboard-files.js';
import { sdkTypeErrors } from './sdk-type-check.js';

const GRID_WIDTH = 24;
/** Grafana's own variables that may appear in a query. */
const BUILTIN_VARIABLES = new Set(['__rate_interval', '__range', '__interval']);

describe('generated Grafana dashboards', () => {
  it('the committed JSON is exactly what the generator makes (run: npx tsx scripts/grafana-build.ts)', () => {
    const generated = renderDashboards();
    expect(Object.keys(generated).length).toBeGreaterThanOrEqual(2);
    for (const [file, text] of Object.entries(generated)) {
      expect(readDashboardText(file), file).toBe(text);
    }
  });

  it.each(DASHBOARD_FILES)('%s type-checks against the foundation SDK dashboard types', (file) => {
    expect(sdkTypeErrors(readDashboardText(file))).toEqual([]);
  });

  it('the type check is not vacuous: an unknown panel field and a wrong type are reported', () => {
    const d = JSON.parse(readDashboardText(DASHBOARD_FILES[0]!)) as {
      panels: Array<Record<string, unknown>>;
      schemaVersion: unknown;
    };
    d.panels[1]!.titel = 'typo';
    d.schemaVersion = 'forty-two';
    const errors = sdkTypeErrors(JSON.stringify(d));
    expect(errors.join('\n')).toMatch(/titel/);
    expect(errors.join('\n')).toMatch(/schemaVersion|not assignable to type 'number'/);
  });

  it.each(DASHBOARD_FILES)(
    '%s: every panel has an id, a description, a datasource and a valid grid position',
    (file) => {
      const d = readDashboard(file);
      const ids = d.panels.flatMap((p) => [p.id, ...(p.panels ?? []).map((n) => n.id)]);
      expect(new Set(ids).size, 'unique panel ids').toBe(ids.length);
      expect(ids.every((id) => Number.isInteger(id) && id! > 0)).toBe(true);

      const cells = new Map<string, number>();
      for (const panel of d.panels.flatMap((p) => [p, ...(p.panels ?? [])])) {
        const g = panel.gridPos;
        expect(g, `${panel.title} gridPos`).toBeDefined();
        for (const v of [g!.x, g!.y, g!.w, g!.h]) expect(Number.isInteger(v)).toBe(true);
        expect(g!.x).toBeGreaterThanOrEqual(0);
        expect(g!.y).toBeGreaterThanOrEqual(0);
        expect(g!.w).toBeGreaterThan(0);
        expect(g!.h).toBeGreaterThan(0);
        expect(g!.x + g!.w, `${panel.title} fits the 24-column grid`).toBeLessThanOrEqual(
          GRID_WIDTH,
        );
        for (let x = g!.x; x < g!.x + g!.w; x++) {
          for (let y = g!.y; y < g!.y + g!.h; y++) {
            const key = `${x},${y}`;
            expect(cells.get(key), `${panel.title} overlaps panel ${cells.get(key)}`).toBe(
              undefined,
            );
            cells.set(key, panel.id!);
          }
        }
      }

      for (const panel of leafPanels(d)) {
        expect(panel.title, `panel ${panel.id} title`).toBeTruthy();
        expect(panel.description?.length, `${panel.title} description`).toBeGreaterThan(20);
        expect(panel.datasource, `${panel.title} datasource`).toEqual({
          type: 'prometheus',
          uid: `\${${VAR.datasource}}`,
        });
        expect(panel.targets?.length, `${panel.title} targets`).toBeGreaterThan(0);
        const refIds = panel.targets!.map((t) => t.refId);
        expect(new Set(refIds).size, `${panel.title} unique refIds`).toBe(refIds.length);
        for (const t of panel.targets!) {
          expect(t.expr, `${panel.title} expr`).toBeTruthy();
          expect(t.datasource).toEqual(panel.datasource);
        }
      }
    },
  );

  it.each(DASHBOARD_FILES)('%s has the datasource, job, instance and breaker variables', (file) => {
    const names = readDashboard(file).templating.list.map((v) => v.name);
    for (const name of [VAR.datasource, VAR.job, VAR.instance, VAR.breaker]) {
      expect(names).toContain(name);
    }
    expect(readDashboard(file).templating.list.find((v) => v.name === VAR.datasource)?.type).toBe(
      'datasource',
    );
  });

  it.each(DASHBOARD_FILES)(
    '%s queries use only metrics of the golden scrape and defined variables',
    (file) => {
      const fixture = fixtureMetricNames();
      const variables = new Set(readDashboard(file).templating.list.map((v) => v.name));
      const used = new Set<string>();
      for (const query of panelQueries(file)) {
        for (const name of ourMetricNames(query.expr)) {
          expect(
            fixture.has(name),
            `${query.panel}: ${name} is in test/fixtures/metrics.prom`,
          ).toBe(true);
          used.add(name);
        }
        for (const [, name] of query.expr.matchAll(/\$\{?(\w+)/g)) {
          expect(
            variables.has(name!) || BUILTIN_VARIABLES.has(name!),
            `${query.panel}: $${name}`,
          ).toBe(true);
        }
      }
      if (file === DASHBOARD_FILES[0]) {
        // The overview shows every metric we export.
        expect([...used].sort()).toEqual(Object.values(PROMETHEUS_METRIC_NAMES).sort());
      }
    },
  );
});
