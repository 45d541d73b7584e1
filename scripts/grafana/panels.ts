/**
 * Small helpers shared by the dashboards: the datasource reference, Prometheus targets, the
 * template variables and the state value mappings. Everything is built with
 * @grafana/grafana-foundation-sdk builders, so the output has the SDK's dashboard types.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { BREAKER_STATES } from '../../src/core/state-names.js';
import { STATE_CODE, STATE_COLOR, VAR, variableQueries } from './promql.js';

/** Every panel and query uses the datasource picked in the `datasource` variable. */
export const DATASOURCE: common.DataSourceRef = {
  type: 'prometheus',
  uid: `\${${VAR.datasource}}`,
};

export interface TargetOptions {
  /** Instant query (tables, bar gauges); default a range query. */
  readonly instant?: boolean;
  readonly refId?: string;
}

/** A PromQL target on the dashboard's datasource. */
export function target(
  expr: string,
  legendFormat: string,
  options: TargetOptions = {},
): prometheus.DataqueryBuilder {
  const query = new prometheus.DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(expr)
    .legendFormat(legendFormat)
    .editorMode(prometheus.QueryEditorMode.Code)
    .refId(options.refId ?? 'A');
  return options.instant ? query.instant().format(prometheus.PromQueryFormat.Table) : query.range();
}

/** Thresholds config: `[base colour, [value, colour]...]`. */
export function steps(
  base: string,
  ...rest: ReadonlyArray<readonly [number, string]>
): dashboard.ThresholdsConfigBuilder {
  return new dashboard.ThresholdsConfigBuilder()
    .mode(dashboard.ThresholdsMode.Absolute)
    .steps([{ value: null, color: base }, ...rest.map(([value, color]) => ({ value, color }))]);
}

/** STATE_CODE numbers back to state names and colours. */
export function stateMappings(): dashboard.ValueMapping[] {
  const options: Record<string, dashboard.ValueMappingResult> = {};
  BREAKER_STATES.forEach((state, index) => {
    options[String(STATE_CODE[state])] = { text: state, color: STATE_COLOR[state], index };
  });
  return [{ type: dashboard.MappingType.ValueToText, options }];
}

export function tableLegend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .displayMode(common.LegendDisplayMode.Table)
    .placement(common.LegendPlacement.Right)
    .showLegend(true)
    .calcs(['lastNotNull', 'max']);
}

export function listLegend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom)
    .showLegend(true)
    .calcs([]);
}

export interface VariableOptions {
  /** The breaker variable is single-valued on the drill-down dashboard. */
  readonly breakerMulti: boolean;
}

/** datasource, job, instance, breaker: each narrows the next. */
export function scopeVariables(
  options: VariableOptions,
): Array<{ build(): dashboard.VariableModel }> {
  const all = { text: 'All', value: '$__all' };
  const labelValues = (name: string, label: string, query: string, description: string) =>
    new dashboard.QueryVariableBuilder(name)
      .label(label)
      .description(description)
      .datasource(DATASOURCE)
      .query(query)
      .definition(query)
      .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
      .sort(dashboard.VariableSort.AlphabeticalCaseInsensitiveAsc);
  return [
    new dashboard.DatasourceVariableBuilder(VAR.datasource)
      .label('Data source')
      .description('Prometheus that scrapes the services running otel-circuit-breaker.')
      .type('prometheus'),
    labelValues(VAR.job, 'Job', variableQueries.job, 'Prometheus job (usually one per service).')
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current(all),
    labelValues(
      VAR.instance,
      'Instance',
      variableQueries.instance,
      'Scraped process (host:port of its metrics endpoint).',
    )
      .multi(true)
      .includeAll(true)
      .allValue('.*')
      .current(all),
    options.breakerMulti
      ? labelValues(
          VAR.breaker,
          'Breaker',
          variableQueries.breaker,
          'Circuit breaker name: the configured host pattern, agent:<name> or a name given in code.',
        )
          .multi(true)
          .includeAll(true)
          .allValue('.*')
          .current(all)
      : labelValues(
          VAR.breaker,
          'Breaker',
          variableQueries.breaker,
          'Circuit breaker to drill into.',
        )
          .multi(false)
          .includeAll(false),
  ];
}

/**
 * A time series of rates as shares of each breaker's own threshold (1 = it trips), with dashed
 * lines at 80% (orange: where CircuitBreakerHighFailureRate starts) and 100% (red).
 */
export function shareOfThresholdPanel(title: string, description: string): timeseries.PanelBuilder {
  return timeseriesPanel(title, description)
    .unit('percentunit')
    .min(0)
    .axisSoftMax(1)
    .thresholds(steps('green', [0.8, 'orange'], [1, 'red']))
    .thresholdsStyle(
      new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Dashed),
    );
}

/** Override that draws the `threshold` series as a red dashed line without fill. */
export function thresholdSeriesOverride(): dashboard.DynamicConfigValue[] {
  return [
    { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } },
    { id: 'custom.lineStyle', value: { fill: 'dash', dash: [10, 10] } },
    { id: 'custom.fillOpacity', value: 0 },
    { id: 'custom.lineWidth', value: 1 },
  ];
}

/** A dashboard with the settings both dashboards share; each adds its links, variables and panels. */
export function baseDashboard(
  title: string,
  uid: string,
  description: string,
): dashboard.DashboardBuilder {
  return new dashboard.DashboardBuilder(title)
    .uid(uid)
    .description(`${description} Generated by scripts/grafana-build.ts; do not edit by hand.`)
    .tags(['otel-circuit-breaker', 'circuit-breaker'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .tooltip(dashboard.DashboardCursorSync.Crosshair);
}

/** A time series panel: table legend, thin lines, no points. */
export function timeseriesPanel(title: string, description: string): timeseries.PanelBuilder {
  return new timeseries.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .legend(tableLegend())
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never);
}

/** A stat panel showing the last value, coloured by its thresholds, `span` grid columns wide. */
export function statPanel(title: string, description: string, span: number): stat.PanelBuilder {
  return new stat.PanelBuilder()
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .height(4)
    .span(span)
    .graphMode(common.BigValueGraphMode.Area)
    .colorMode(common.BigValueColorMode.Background)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false));
}
