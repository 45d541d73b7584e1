/**
 * "Circuit breakers / Overview": every breaker of the selected services at a glance.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import {
  DATASOURCE,
  listLegend,
  scopeVariables,
  stateMappings,
  steps,
  target,
  baseDashboard,
  shareOfThresholdPanel,
  statPanel,
  timeseriesPanel,
} from './panels.js';
import * as q from './promql.js';
import { LABELS, VAR } from './promql.js';

export const OVERVIEW_UID = 'otel-cb-overview';
export const DETAIL_UID = 'otel-cb-breaker';

const byName = [LABELS.name];
const legendName = `{{${LABELS.name}}}`;
/** Link from a breaker series to the drill-down, keeping time range and scope variables. */
const drillDownLink = new dashboard.DashboardLinkBuilder(
  'Open ${__field.labels.' + LABELS.name + '} in the drill-down',
)
  .type(dashboard.DashboardLinkType.Link)
  .url(
    `/d/${DETAIL_UID}?\${${VAR.datasource}:queryparam}&\${${VAR.job}:queryparam}` +
      `&\${${VAR.instance}:queryparam}&var-${VAR.breaker}=\${__field.labels.${LABELS.name}}&\${__url_time_range}`,
  )
  .targetBlank(false);

/** Stat panels of the top row: six across. */
function overviewStat(title: string, description: string): stat.PanelBuilder {
  return statPanel(title, description, 4);
}

function linkedTimeseriesPanel(title: string, description: string): timeseries.PanelBuilder {
  return timeseriesPanel(title, description).dataLinks([drillDownLink]);
}

function ratePanel(title: string, description: string, rule: q.RateRule): timeseries.PanelBuilder {
  return shareOfThresholdPanel(title, description)
    .dataLinks([drillDownLink])
    .span(12)
    .height(8)
    .withTarget(target(q.rateOfThreshold(rule, byName), legendName));
}

/** Column titles of the rules table, by rule gauge. */
const RULE_COLUMNS: Readonly<Record<keyof typeof q.RULE_GAUGES, string>> = {
  failureRateThreshold: 'failure-rate threshold',
  slowCallRateThreshold: 'slow-call-rate threshold',
  minimumCalls: 'minimum calls',
  openDuration: 'open time',
  timeUntilProbe: 'next probe in',
};

/** One row per breaker: its thresholds, minimum calls, open time and wait for the probe. */
function rulesTable(): table.PanelBuilder {
  const keys = Object.keys(q.RULE_GAUGES) as Array<keyof typeof q.RULE_GAUGES>;
  const panel = new table.PanelBuilder()
    .title('Rules per breaker')
    .description(
      "Each breaker's own rule values, as exported (highest over the instances): failure-rate and slow-call-rate thresholds (0 = rule off), the calls its window needs before a rate rule may trip, its open time (while open the current one, with back-off; otherwise the next one) and the seconds until an open circuit lets a probe through.",
    )
    .datasource(DATASOURCE)
    .span(12)
    .height(8)
    .dataLinks([drillDownLink]);
  keys.forEach((key, i) =>
    panel.withTarget(
      target(q.ruleValue(q.RULE_GAUGES[key], byName), '', {
        instant: true,
        refId: String.fromCharCode(65 + i),
      }),
    ),
  );
  const renameByName: Record<string, string> = { [LABELS.name]: 'breaker' };
  keys.forEach(
    (key, i) => (renameByName[`Value #${String.fromCharCode(65 + i)}`] = RULE_COLUMNS[key]),
  );
  return panel
    .withTransformation({ id: 'merge', options: {} })
    .withTransformation({
      id: 'organize',
      options: { excludeByName: { Time: true }, renameByName },
    })
    .overrideByName(RULE_COLUMNS.failureRateThreshold, [{ id: 'unit', value: 'percentunit' }])
    .overrideByName(RULE_COLUMNS.slowCallRateThreshold, [{ id: 'unit', value: 'percentunit' }])
    .overrideByName(RULE_COLUMNS.openDuration, [{ id: 'unit', value: 's' }])
    .overrideByName(RULE_COLUMNS.timeUntilProbe, [{ id: 'unit', value: 's' }]);
}

export function overviewDashboard(): dashboard.Dashboard {
  const builder = baseDashboard(
    'Circuit breakers / Overview',
    OVERVIEW_UID,
    'otel-circuit-breaker: open circuits, state over time, failure and slow-call rates, calls, rejections, transitions and shared-store health.',
  ).link(
    new dashboard.DashboardLinkBuilder('Breaker drill-down')
      .type(dashboard.DashboardLinkType.Dashboards)
      .tags(['otel-circuit-breaker'])
      .asDropdown(false)
      .includeVars(true)
      .keepTime(true),
  );

  for (const variable of scopeVariables({ breakerMulti: true })) builder.withVariable(variable);
  builder.withVariable(
    new dashboard.CustomVariableBuilder(VAR.topN)
      .label('Top N')
      .description('How many breakers the "Top breakers by failures" panel lists.')
      .values('5,10,20')
      .current({ text: '10', value: '10' }),
  );

  // ---- Now ----
  builder
    .withRow(new dashboard.RowBuilder('Now'))
    .withPanel(
      overviewStat(
        'Open circuits',
        'Breakers (per instance) whose circuit is open or forced open right now: calls to them are rejected without being sent. Red when any.',
      )
        .withTarget(target(q.countInStates(q.OPEN_STATES), 'open'))
        .thresholds(steps('green', [1, 'red']))
        .noValue('0'),
    )
    .withPanel(
      overviewStat(
        'Half-open circuits',
        'Breakers (per instance) letting a few probe calls through to find out whether the target recovered. Yellow when any.',
      )
        .withTarget(target(q.countInStates(['half_open']), 'half_open'))
        .thresholds(steps('green', [1, 'yellow']))
        .noValue('0'),
    )
    .withPanel(
      overviewStat(
        'Breakers',
        'Distinct breaker names reporting in the selected scope (configured hosts, agent:<name> breakers and names used in code).',
      )
        .withTarget(target(q.breakerCount(), 'breakers'))
        .thresholds(steps('blue'))
        .colorMode(common.BigValueColorMode.Value)
        .noValue('0'),
    )
    .withPanel(
      overviewStat(
        'Rejected calls / s',
        'Calls rejected at once because their circuit was open (no request sent), summed over the selected breakers.',
      )
        .withTarget(target(q.totalRejectionsRate(), 'rejected/s'))
        .unit('reqps')
        .thresholds(steps('green', [0.001, 'orange']))
        .noValue('0'),
    )
    .withPanel(
      overviewStat(
        'Calls / s',
        'All calls seen by the selected breakers (success, failure, ignored, rejected).',
      )
        .withTarget(target(`sum(${q.callsRate([q.JOB])})`, 'calls/s'))
        .unit('reqps')
        .thresholds(steps('blue'))
        .colorMode(common.BigValueColorMode.Value)
        .noValue('0'),
    )
    .withPanel(
      overviewStat(
        'Shared store',
        'Lowest availability of the shared state store (Redis) over the selected instances: up, or down while breakers run on local state only. Empty without a shared store.',
      )
        .withTarget(target(q.storeAvailableNow(), 'store'))
        .mappings([
          {
            type: dashboard.MappingType.ValueToText,
            options: { '0': { text: 'down', color: 'red' }, '1': { text: 'up', color: 'green' } },
          },
        ])
        .thresholds(steps('red', [1, 'green']))
        .noValue('no shared store'),
    );

  // ---- State ----
  builder.withRow(new dashboard.RowBuilder('State')).withPanel(
    new statetimeline.PanelBuilder()
      .title('State per breaker')
      .description(
        'Circuit state over time per breaker; with several instances the worst state wins (forced_open > open > half_open > disabled > closed). Click a breaker for its drill-down.',
      )
      .datasource(DATASOURCE)
      .span(24)
      .height(9)
      .withTarget(target(q.stateCode(byName), legendName))
      .mappings(stateMappings())
      .thresholds(steps('green'))
      .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
      .showValue(common.VisibilityMode.Never)
      .mergeValues(true)
      .rowHeight(0.8)
      .fillOpacity(80)
      .legend(listLegend())
      .dataLinks([drillDownLink]),
  );

  // ---- Rates ----
  builder
    .withRow(new dashboard.RowBuilder('Failure and slow-call rates'))
    .withPanel(
      ratePanel(
        'Failure rate against threshold',
        "Each breaker's failure rate over its sliding window as a share of its own failureRateThreshold (highest instance). A closed breaker trips at 100% (red line) once minimumCalls were seen; CircuitBreakerHighFailureRate fires after 10 minutes at 80% (orange line). Breakers whose rate rule is off (threshold 0) are not drawn.",
        q.RATE_RULES.failure,
      ),
    )
    .withPanel(
      ratePanel(
        'Slow-call rate against threshold',
        "Each breaker's share of calls slower than slowCallDurationMs as a share of its own slowCallRateThreshold (highest instance): it trips at 100% (red line). Breakers whose slow-call rule is off are not drawn.",
        q.RATE_RULES.slowCall,
      ),
    );

  // ---- Rules and recovery ----
  builder
    .withRow(new dashboard.RowBuilder('Rules and recovery'))
    .withPanel(rulesTable())
    .withPanel(
      linkedTimeseriesPanel(
        'Time until the next probe',
        'Seconds until each open circuit lets a probe call through (highest instance); a breaker appears only while it waits. Open times grow with back-off each time a probe fails, up to maxOpenSeconds.',
      )
        .span(12)
        .height(8)
        .unit('s')
        .min(0)
        .withTarget(target(q.timeUntilProbe(byName), legendName)),
    );

  // ---- Calls ----
  builder
    .withRow(new dashboard.RowBuilder('Calls'))
    .withPanel(
      linkedTimeseriesPanel(
        'Calls by outcome',
        'Calls per second through the selected breakers by outcome: success, failure (counted against the breaker), ignored (cancelled by the caller) and rejected (not sent: circuit open).',
      )
        .span(8)
        .height(8)
        .unit('reqps')
        .min(0)
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .withTarget(target(q.callsRate([LABELS.outcome]), `{{${LABELS.outcome}}}`))
        .overrideByName('success', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'green' } }])
        .overrideByName('failure', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }])
        .overrideByName('rejected', [
          { id: 'color', value: { mode: 'fixed', fixedColor: 'orange' } },
        ])
        .overrideByName('ignored', [{ id: 'color', value: { mode: 'fixed', fixedColor: 'text' } }])
        .legend(listLegend()),
    )
    .withPanel(
      linkedTimeseriesPanel(
        'Rejections per second',
        'Calls rejected per breaker because its circuit was open, forced open or half-open with all probe slots taken. The callers got a CircuitOpenError (or a synthetic 503) within microseconds.',
      )
        .span(8)
        .height(8)
        .unit('reqps')
        .min(0)
        .withTarget(target(q.callsRate(byName, 'rejected'), legendName)),
    )
    .withPanel(
      linkedTimeseriesPanel(
        'Shadow rejections (observe mode)',
        'Calls that breakers in mode: observe let through but mode: enforce would have rejected. Use it to judge a rollout before switching to enforce.',
      )
        .span(8)
        .height(8)
        .unit('reqps')
        .min(0)
        .withTarget(target(q.shadowRejectionsRate(byName), legendName)),
    );

  // ---- Transitions and top failures ----
  builder
    .withRow(new dashboard.RowBuilder('Transitions and failures'))
    .withPanel(
      linkedTimeseriesPanel(
        'Transitions',
        'State changes per breaker and new state in each interval. Many opens of one breaker in a short time mean it is flapping (see the CircuitBreakerFlapping alert).',
      )
        .span(8)
        .height(8)
        .unit('short')
        .min(0)
        .decimals(0)
        .drawStyle(common.GraphDrawStyle.Bars)
        .fillOpacity(80)
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .withTarget(
          target(q.transitions([LABELS.name, LABELS.to]), `{{${LABELS.name}}} → {{${LABELS.to}}}`),
        ),
    )
    .withPanel(
      linkedTimeseriesPanel(
        'Failures by kind',
        'Failed calls per second by kind: connection (refused, reset, DNS, TLS), timeout, server (5xx), rate_limited (429), quota (exhausted quota or billing limit) or error (anything else). Tells a dead host from a throttling one.',
      )
        .span(8)
        .height(8)
        .unit('reqps')
        .min(0)
        .stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal))
        .withTarget(
          target(
            q.failuresByKindRate([LABELS.name, LABELS.failureKind]),
            `{{${LABELS.name}}} {{${LABELS.failureKind}}}`,
          ),
        ),
    )
    .withPanel(
      new bargauge.PanelBuilder()
        .title('Top breakers by failures')
        .description(
          'Breakers (hosts, agents) with the most failed calls over the selected time range (the "top_n" variable sets how many).',
        )
        .datasource(DATASOURCE)
        .span(8)
        .height(8)
        .unit('short')
        .decimals(0)
        .min(0)
        .orientation(common.VizOrientation.Horizontal)
        .displayMode(common.BarGaugeDisplayMode.Gradient)
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
        .thresholds(steps('orange', [100, 'red']))
        .withTarget(target(q.topFailures(), legendName, { instant: true }))
        .dataLinks([drillDownLink]),
    );

  // ---- Health checks ----
  builder.withRow(new dashboard.RowBuilder('Health checks')).withPanel(
    linkedTimeseriesPanel(
      'Health checks',
      'Active health checks per second by breaker and result, for hosts configured with a healthCheck: while such a circuit is open, these requests probe the host instead of user calls. Failed checks keep it open; successThreshold passed checks close it.',
    )
      .span(24)
      .height(7)
      .unit('reqps')
      .min(0)
      .withTarget(
        target(
          q.healthChecksRate([LABELS.name, LABELS.healthCheckResult]),
          `{{${LABELS.name}}} {{${LABELS.healthCheckResult}}}`,
        ),
      ),
  );

  // ---- Shared store ----
  builder
    .withRow(new dashboard.RowBuilder('Shared store'))
    .withPanel(
      linkedTimeseriesPanel(
        'Store availability',
        'Per instance: 1 while the shared state store (Redis) is reachable, 0 while the breakers run on local state only (they never block on the store). Empty with the in-memory store.',
      )
        .span(12)
        .height(7)
        .min(0)
        .max(1)
        .decimals(0)
        .lineInterpolation(common.LineInterpolation.StepAfter)
        .withTarget(target(q.storeAvailable(), `{{${q.INSTANCE}}} {{${LABELS.store}}}`))
        .thresholds(steps('red', [1, 'green']))
        .dataLinks([]),
    )
    .withPanel(
      linkedTimeseriesPanel(
        'Store errors per second',
        'Per instance: store calls that failed or timed out (each connection loss counts once). The breakers went on with local state; state reconciles when the store returns.',
      )
        .span(12)
        .height(7)
        .unit('short')
        .min(0)
        .withTarget(target(q.storeErrorsRate(), `{{${q.INSTANCE}}} {{${LABELS.store}}}`))
        .dataLinks([]),
    );

  return builder.build();
}
