/**
 * Every generated dashboard, by file name under grafana/dashboards/, and their exact JSON text.
 * scripts/grafana-build.ts writes them; test/grafana/dashboards.test.ts compares the committed
 * files with renderDashboards().
 */
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { breakerDetailDashboard } from './breaker-detail.js';
import { overviewDashboard } from './overview.js';

export const DASHBOARD_DIR = 'grafana/dashboards';

export function buildDashboards(): Record<string, dashboard.Dashboard> {
  return {
    'circuit-breakers-overview.json': numberPanels(overviewDashboard()),
    'circuit-breaker-detail.json': numberPanels(breakerDetailDashboard()),
  };
}

/** File contents: stable 2-space JSON with a trailing newline (what prettier keeps as is). */
export function renderDashboards(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(buildDashboards()).map(([file, d]) => [file, `${JSON.stringify(d, null, 2)}\n`]),
  );
}

/** The builders leave panel ids unset; Grafana needs them unique and stable (links, alerts). */
function numberPanels(d: dashboard.Dashboard): dashboard.Dashboard {
  let id = 1;
  for (const panel of d.panels ?? []) {
    panel.id = id++;
    const nested = (panel as dashboard.RowPanel).panels;
    if (Array.isArray(nested)) for (const inner of nested) inner.id = id++;
  }
  return d;
}
