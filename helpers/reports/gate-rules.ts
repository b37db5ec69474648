import { operationKey } from '../api-summary/operations';
import type { GateSettings } from '../settings/gate';
import { COVERAGE, FIGURES } from './metrics';

// The quality gate's rules from the settings, as Allure 3 quality-gate rules on the run's performance
// metrics (metrics.ts): Allure checks them, against its own history, with its own messages
// (scripts/quality-gate.ts runs it). Each rule set is named after the setting it comes from.

type MetricExpectation = { key: string; value: number };
/** One Allure rule set: its id names the setting, and it holds a single rule. */
export type RuleSet = { id: string } & (
  | { metricMax: MetricExpectation }
  | { metricMin: MetricExpectation }
  | { metricMaxDeltaPercent: MetricExpectation }
  | { environmentsTested: string[] }
);

/** A metric key, read back: `[environment · ]operation · figure`. */
type ParsedKey = { key: string; environment: string | undefined; operation: string; figure: string };

function parseKey(key: string): ParsedKey | undefined {
  const parts = key.split(' · ');
  if (parts.length === 2) return { key, environment: undefined, operation: parts[0]!, figure: parts[1]! };
  if (parts.length === 3) return { key, environment: parts[0], operation: parts[1]!, figure: parts[2]! };
  return undefined;
}

/**
 * The rules of the settings over the metric keys of the run (of every environment merged into it).
 * Rules on every operation take the operations from the keys; a required operation that no key has
 * still gets its rule, so that Allure reports its metric missing.
 */
export function gateRules(settings: GateSettings, metricKeys: readonly string[]): RuleSet[] {
  const keys = metricKeys.flatMap((key) => parseKey(key) ?? []);
  const withFigure = (figure: string) => keys.filter((key) => key.figure === figure);
  // The environments merged into the report; a run that named none has its keys without one.
  const environments = keys.length > 0 ? [...new Set(keys.map((key) => key.environment))] : [undefined];
  const rules: RuleSet[] = [];

  if (settings.timeToReadyGrowthPercent !== undefined) {
    const wanted = settings.timeToReadyOperations;
    for (const { key, operation } of withFigure(FIGURES.timeToReadyP95)) {
      if (wanted.length > 0 && !wanted.includes(operation)) continue;
      rules.push({
        id: 'GATE_TIME_TO_READY_GROWTH_PERCENT',
        metricMaxDeltaPercent: { key, value: settings.timeToReadyGrowthPercent },
      });
    }
  }
  if (settings.slaShareMaxPercent !== undefined) {
    for (const { key } of withFigure(FIGURES.shareOfSla)) {
      rules.push({ id: 'GATE_SLA_SHARE_MAX_PERCENT', metricMax: { key, value: settings.slaShareMaxPercent } });
    }
  }
  if (settings.coverageMin !== undefined) {
    for (const environment of environments) {
      const key = [environment, COVERAGE, FIGURES.coveredOperations].filter(Boolean).join(' · ');
      rules.push({ id: 'API_COVERAGE_MIN', metricMin: { key, value: Math.round(settings.coverageMin * 1000) / 10 } });
    }
  }
  for (const required of settings.requiredOperations) {
    for (const environment of environments) {
      // `{taskId}` and `{id}` are one template: the key of the run's own spelling, when it has one.
      const found = withFigure(FIGURES.calls).find(
        (key) => key.environment === environment && operationKey(key.operation) === operationKey(required),
      );
      const key = found?.key ?? [environment, required, FIGURES.calls].filter(Boolean).join(' · ');
      rules.push({ id: 'API_REQUIRED_OPERATIONS', metricMin: { key, value: 1 } });
    }
  }
  if (settings.environments.length > 0) {
    rules.push({ id: 'GATE_ENVIRONMENTS', environmentsTested: settings.environments });
  }
  return rules;
}
