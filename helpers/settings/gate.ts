import { z } from 'zod';
import { type Env, settingsOf } from '../env';
import { OPERATION } from '../api-summary/operations';
import { ENVIRONMENT_NAME } from './core';

// The quality gate's settings (helpers/reports/gate-rules.ts turns them into Allure's rules).

const ratio = z.coerce
  .number({ error: 'expected a ratio between 0 and 1, such as 0.8' })
  .min(0, { error: 'expected a ratio between 0 and 1, such as 0.8' })
  .max(1, { error: 'expected a ratio between 0 and 1, such as 0.8' });
const percent = z.coerce
  .number({ error: 'expected a percentage, such as 20' })
  .positive({ error: 'expected a positive percentage, such as 20' });
const list = (check: (item: string) => string | undefined) =>
  z
    .string()
    .default('')
    .transform((text, context) => {
      const items = text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
      for (const item of items) {
        const problem = check(item);
        if (problem !== undefined) {
          context.addIssue({ code: 'custom', message: problem });
          return z.NEVER;
        }
      }
      return items;
    });

const GateSettings = z.object({
  GATE_TIME_TO_READY_GROWTH_PERCENT: percent.optional(),
  GATE_TIME_TO_READY_OPERATIONS: list(() => undefined),
  GATE_SLA_SHARE_MAX_PERCENT: percent.optional(),
  API_COVERAGE_MIN: ratio.optional(),
  API_REQUIRED_OPERATIONS: list((item) =>
    OPERATION.test(item)
      ? undefined
      : `expected a comma list of METHOD /path/{template}, such as GET /items/{id} (not ${JSON.stringify(item)})`,
  ),
  GATE_ENVIRONMENTS: list((item) =>
    ENVIRONMENT_NAME.test(item)
      ? undefined
      : `expected a comma list of environment names (not ${JSON.stringify(item)})`,
  ),
});

export type GateSettings = {
  /** The most an operation's p95 time to ready may grow over the previous run, in percent. */
  timeToReadyGrowthPercent: number | undefined;
  /** The operations that rule holds for; empty: every operation with a time to ready. */
  timeToReadyOperations: string[];
  /** The most of its SLA an operation's p95 time to ready may take, in percent. */
  slaShareMaxPercent: number | undefined;
  /** The least share of the documented operations the suite must call, 0–1. */
  coverageMin: number | undefined;
  /** Operations the suite must call, in each environment. */
  requiredOperations: string[];
  /** Environments (API_ENV) the report must hold. */
  environments: string[];
};

export function gateSettings(env: Env): GateSettings {
  const raw = settingsOf(env, GateSettings);
  return {
    timeToReadyGrowthPercent: raw.GATE_TIME_TO_READY_GROWTH_PERCENT,
    timeToReadyOperations: raw.GATE_TIME_TO_READY_OPERATIONS,
    slaShareMaxPercent: raw.GATE_SLA_SHARE_MAX_PERCENT,
    coverageMin: raw.API_COVERAGE_MIN,
    requiredOperations: raw.API_REQUIRED_OPERATIONS,
    environments: raw.GATE_ENVIRONMENTS,
  };
}
