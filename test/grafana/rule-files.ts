/**
 * The Prometheus rule file and its promtool tests, parsed, for the rule tests and the real
 * Prometheus end-to-end test (which loads a copy with shorter `for:` durations).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from './dashboard-files.js';

export const RULES_PATH = join(ROOT, 'grafana', 'prometheus', 'alerts.yml');
export const RULE_TESTS_DIR = join(ROOT, 'grafana', 'prometheus', 'tests');
export const RUNBOOK_PATH = join(ROOT, 'grafana', 'RUNBOOK.md');

export interface Rule {
  readonly alert?: string;
  readonly record?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: Rule[];
}

export function readRuleGroups(): RuleGroup[] {
  return (parse(readFileSync(RULES_PATH, 'utf8')) as { groups: RuleGroup[] }).groups;
}

export function allRules(): Rule[] {
  return readRuleGroups().flatMap((g) => g.rules);
}

export function alertRules(): Rule[] {
  return allRules().filter((r) => r.alert !== undefined);
}

/** Label the end-to-end copy adds to its alerts, so they can be told from the real file's. */
export const E2E_COPY_LABEL = 'e2e_copy';

/**
 * The alerting rules of alerts.yml with every `for:` replaced by `forDuration`, in groups of their
 * own (recording rules stay in the real file, loaded beside the copy). Made from the real file, so
 * the end-to-end test exercises exactly the shipped expressions.
 */
export function shortenedAlertCopy(forDuration: string): string {
  const groups = readRuleGroups()
    .map((group) => ({
      name: `${group.name}.e2e-copy`,
      rules: group.rules
        .filter((rule) => rule.alert !== undefined)
        .map((rule) => ({
          ...rule,
          ...(rule.for !== undefined ? { for: forDuration } : {}),
          labels: { ...rule.labels, [E2E_COPY_LABEL]: 'true' },
        })),
    }))
    .filter((group) => group.rules.length > 0);
  return stringify({ groups });
}
