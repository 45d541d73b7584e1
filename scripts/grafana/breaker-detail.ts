/**
 * "Circuit breakers / Breaker": one breaker across the instances that run it. It answers what the
 * overview cannot: is one instance or the whole fleet affected, and which transitions happened.
 */
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as statetimeline from '@grafana/grafana-foundation-sdk/statetimeline';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { DETAIL_UID, OVERVIEW_UID } from './overview.js';
import {
  DATASOURCE,
  listLegend,
  scopeVariables,
  stateMappings,
  steps,
  target,
  thresholdSeriesOverride,
  baseDashboard,
  statPanel,
  timeseriesPanel,
} from './panels.js';
import * as q from './promql.js';
import { LABELS } from './promql.js';

const byInstance = [q.INSTANCE];
const legendInstance = `{{${q.INSTANCE}}}`;

/** Stat panels of the top row: six across. */
function detailStat(title: string, description: string): stat.PanelBuilder {
  return statPanel(title, description, 4);
}

function fullWidthTimeseries(title: string, description: string): timeseries.PanelBuilder {
  return timeseriesPanel(title, description).span(12).height(8);
}

export function breakerDetailDashboard(): dashboard.Dashboard {
  const builder = baseDashboard(
    'Circuit breakers / Breaker',
    DETAIL_UID,
    'One otel-circuit-breaker breaker across the instances that run it: state, rates against thresholds, calls and transitions per instance.',
  ).link(
    new dashboard.DashboardLinkBuilder('Overview')
      .type(dashboard.DashboardLinkType.Link)
      .url(`/d/${OVERVIEW_UID}`)
      .includeVars(true)
      .keepTime(true)
      .asDropdown(false)
      .targetBlank(false)
      .icon('dashboard')
      .tooltip('All breakers'),
  );

  for (const variable of scopeVariables({ breakerMulti: false })) builder.withVariable(variable);
  builder
    .withPanel(
      detailStat(
        'State',
        'Current state of the breaker; with several instances the worst one (forced_open > open > half_open > disabled > closed).',
      )
        .withTarget(target(q.stateCode([LABELS.name]), '{{' + LABELS.name + '}}'))
        .mappings(stateMappings())
        .thresholds(steps('green'))
        .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
        .graphMode(common.BigValueGraphMode.None),
    )
    .withPanel(
      detailStat(
        'Failure rate of threshold',
        "Highest failure rate over the instances as a share of the breaker's own failureRateThreshold: it trips at 100%; CircuitBreakerHighFailureRate fires after 10 minutes at 80%. Empty when the rate rule is off.",
      )
        .withTarget(target(q.rateOfThreshold(q.RATE_RULES.failure, [LABELS.name]), 'of threshold'))
        .unit('percentunit')
        .thresholds(steps('green', [0.8, 'orange'], [1, 'red'])),
    )
    .withPanel(
      detailStat('Calls / s', 'All calls through this breaker on the selected instances.')
        .withTarget(target(`sum(${q.callsRate([q.JOB])})`, 'calls/s'))
        .unit('reqps')
        .thresholds(steps('blue'))
        .colorMode(common.BigValueColorMode.Value)
        .noValue('0'),
    )
    .withPanel(
      detailStat('Rejected / s', 'Calls this breaker rejected without sending them.')
        .withTarget(target(q.totalRejectionsRate(), 'rejected/s'))
        .unit('reqps')
        .thresholds(steps('green', [0.001, 'orange']))
        .noValue('0'),
    )
    .withPanel(
      detailStat(
        'Open time',
        'While open, the length of the current open period (with back-off, jitter or a server-requested wait); otherwise the open time a trip would start now. Highest over the instances.',
      )
        .withTarget(target(q.openDuration([LABELS.name]), 'open time'))
        .unit('s')
        .thresholds(steps('blue'))
        .colorMode(common.BigValueColorMode.Value),
    )
    .withPanel(
      detailStat(
        'Next probe in',
        'Seconds until the open circuit lets a probe call through (highest over the instances); 0 when it is not waiting (closed, half-open, forced open, disabled).',
      )
        .withTarget(
          target(q.ruleValue(q.RULE_GAUGES.timeUntilProbe, [LABELS.name]), 'next probe in'),
        )
        .unit('s')
        .thresholds(steps('green', [0.001, 'red']))
        .noValue('0'),
    )
    .withPanel(
      new statetimeline.PanelBuilder()
        .title('State per instance')
        .description(
          'State of this breaker on each instance. With a shared store (Redis) all instances should change together; one instance out of step points at that instance (its network, its store connection).',
        )
        .datasource(DATASOURCE)
        .span(24)
        .height(7)
        .withTarget(target(q.stateCode(byInstance), legendInstance))
        .mappings(stateMappings())
        .thresholds(steps('green'))
        .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
        .showValue(common.VisibilityMode.Never)
        .mergeValues(true)
        .fillOpacity(80)
        .legend(listLegend()),
    )
    .withPanel(
      fullWidthTimeseries(
        'Failure rate per instance',
        "Failure rate over the breaker's window on each instance, with its failureRateThreshold (from the metrics; the lowest over the instances) as a dashed line.",
      )
        .unit('percentunit')
        .min(0)
        .max(1)
        .withTarget(target(q.failureRate(byInstance), legendInstance))
        .withTarget(target(q.thresholdLine(q.RATE_RULES.failure), 'threshold', { refId: 'T' }))
        .overrideByName('threshold', thresholdSeriesOverride()),
    )
    .withPanel(
      fullWidthTimeseries(
        'Slow-call rate per instance',
        "Slow-call rate over the breaker's window on each instance, with its slowCallRateThreshold (from the metrics; the lowest over the instances) as a dashed line.",
      )
        .unit('percentunit')
        .min(0)
        .max(1)
        .withTarget(target(q.slowCallRate(byInstance), legendInstance))
        .withTarget(target(q.thresholdLine(q.RATE_RULES.slowCall), 'threshold', { refId: 'T' }))
        .overrideByName('threshold', thresholdSeriesOverride()),
    )
    .withPanel(
      fullWidthTimeseries(
        'Calls by outcome per instance',
        'Calls per second by instance and outcome (success, failure, ignored, rejected).',
      )
        .unit('reqps')
        .min(0)
        .withTarget(
          target(
            q.callsRate([q.INSTANCE, LABELS.outcome]),
            `{{${q.INSTANCE}}} {{${LABELS.outcome}}}`,
          ),
        )
        .legend(listLegend()),
    )
    .withPanel(
      new table.PanelBuilder()
        .title('Transitions in range')
        .description(
          'How often the breaker moved from one state to another over the selected time range, all selected instances together.',
        )
        .datasource(DATASOURCE)
        .span(12)
        .height(8)
        .decimals(0)
        .withTarget(
          target(q.transitionsInRange([LABELS.from, LABELS.to]), '', {
            instant: true,
          }),
        )
        .withTransformation({
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            renameByName: { [LABELS.from]: 'from', [LABELS.to]: 'to', Value: 'count' },
          },
        }),
    );

  return builder.build();
}
