import type { ReadinessSummary } from '../readiness/summary';
import type { ApiSummary } from '../api-summary/summarize';

// The run's figures as Allure 3 performance metrics (`*-perf.json` in allure-results): its Metrics
// section lists them per operation and compares each with the previous run from Allure's own history,
// and its quality gate can hold them to rules (quality-gate.ts). Allure averages every sample of a key
// and keeps no environment with a sample: so each figure is computed here over the whole run, written
// once per run, and a run of a named environment (API_ENV) puts the name first in its keys.

export type MetricSample = {
  id: string;
  key: string;
  value: number;
  /** The run's start and end, in ms since the epoch. */
  start: number;
  stop: number;
  /** ms or %; a count has none, its key says what it counts. */
  unit?: string;
  /** Which way is better; none for a count that is neither (calls). */
  better?: 'lower' | 'higher';
  /** The Metrics section has a table per group: one per operation. */
  group: string;
};

export type RunWindow = { start: number; stop: number };

/** The figures, as the keys name them: `image generation · time to ready p95`. */
export const FIGURES = {
  timeToReadyP50: 'time to ready p50',
  timeToReadyP95: 'time to ready p95',
  timeToReadyMax: 'time to ready max',
  attemptsMean: 'attempts to ready, mean',
  attemptsMax: 'attempts to ready, max',
  shareOfSla: 'p95 share of SLA',
  pushDelayP95: 'push delay p95',
  pushDelayMax: 'push delay max',
  calls: 'calls',
  latencyP50: 'latency p50',
  latencyP95: 'latency p95',
  latencyMax: 'latency max',
  failures: 'failures',
  coveredOperations: 'operations',
  seenStatuses: 'statuses',
} as const;

/** What coverage is filed under, as if it were an operation. */
export const COVERAGE = 'API coverage';

/** `image generation · time to ready p95`; `staging · image generation · time to ready p95` for API_ENV=staging. */
export function metricKey(operation: string, figure: string, environment?: string | null): string {
  return [environment, operation, figure].filter(Boolean).join(' · ');
}

type Figure = { figure: string; value: number | null; unit?: string; better?: 'lower' | 'higher' };

function samples(
  operation: string,
  figures: readonly Figure[],
  window: RunWindow,
  environment: string | null | undefined,
  id: () => string,
): MetricSample[] {
  const group = [environment, operation].filter(Boolean).join(' · ');
  return figures.flatMap(({ figure, value, unit, better }) =>
    value === null
      ? []
      : [
          {
            id: id(),
            key: metricKey(operation, figure, environment),
            value,
            ...window,
            ...(unit ? { unit } : {}),
            ...(better ? { better } : {}),
            group,
          },
        ],
  );
}

/** Per operation waited for: time to ready, attempts, share of the SLA, and a push's delay. */
export function readinessMetrics(summary: ReadinessSummary, window: RunWindow, id: () => string): MetricSample[] {
  return summary.operations.flatMap((op) =>
    samples(
      op.operation,
      [
        { figure: FIGURES.timeToReadyP50, value: op.observedTimeToReadyMs.p50, unit: 'ms', better: 'lower' },
        { figure: FIGURES.timeToReadyP95, value: op.observedTimeToReadyMs.p95, unit: 'ms', better: 'lower' },
        { figure: FIGURES.timeToReadyMax, value: op.observedTimeToReadyMs.max, unit: 'ms', better: 'lower' },
        { figure: FIGURES.attemptsMean, value: op.attempts.ready.mean, better: 'lower' },
        { figure: FIGURES.attemptsMax, value: op.attempts.ready.max, better: 'lower' },
        { figure: FIGURES.shareOfSla, value: op.p95ShareOfSlaPercent, unit: '%', better: 'lower' },
        { figure: FIGURES.pushDelayP95, value: op.pushDelayMs.p95, unit: 'ms', better: 'lower' },
        { figure: FIGURES.pushDelayMax, value: op.pushDelayMs.max, unit: 'ms', better: 'lower' },
      ],
      window,
      summary.environment,
      id,
    ),
  );
}

/** Per operation called: calls, latency and failures; and the coverage of the OpenAPI document. */
export function apiMetrics(summary: ApiSummary, window: RunWindow, id: () => string): MetricSample[] {
  const operations = summary.operations
    .filter((row) => row.calls > 0)
    .flatMap((row) =>
      samples(
        row.operation,
        [
          { figure: FIGURES.calls, value: row.calls },
          { figure: FIGURES.latencyP50, value: row.p50Ms, unit: 'ms', better: 'lower' },
          { figure: FIGURES.latencyP95, value: row.p95Ms, unit: 'ms', better: 'lower' },
          { figure: FIGURES.latencyMax, value: row.maxMs, unit: 'ms', better: 'lower' },
          { figure: FIGURES.failures, value: row.failures, better: 'lower' },
        ],
        window,
        summary.environment,
        id,
      ),
    );
  const coverage = summary.coverage
    ? samples(
        COVERAGE,
        [
          { figure: FIGURES.coveredOperations, value: percent(summary.coverage.ratio), unit: '%', better: 'higher' },
          { figure: FIGURES.seenStatuses, value: percent(summary.coverage.statusRatio), unit: '%', better: 'higher' },
        ],
        window,
        summary.environment,
        id,
      )
    : [];
  return [...coverage, ...operations];
}

function percent(ratio: number): number {
  return Math.round(ratio * 1000) / 10;
}
