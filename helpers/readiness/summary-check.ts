import { mean, percentile } from '../reports/statistics';
import type { ReadinessSummary } from './summary';

type Step = { name?: string; parameters?: Array<{ name: string; value: string }>; steps?: Step[] };

/** A wait as its Allure step shows it: the parameters operation, outcome, attempts and time to ready. */
export type WaitStepParameters = {
  operation: string;
  outcome: string;
  attempts: number;
  timeToReadyMs: number | undefined;
};

/** Every readiness wait step in an Allure result (a parsed `*-result.json`). */
export function waitStepsOf(result: { steps?: Step[] }): WaitStepParameters[] {
  const found: WaitStepParameters[] = [];
  const visit = (steps: Step[] = []) => {
    for (const step of steps) {
      const parameter = (name: string) => step.parameters?.find((candidate) => candidate.name === name)?.value;
      const operation = parameter('operation');
      const outcome = parameter('outcome') ?? '';
      const attempts = parameter('attempts');
      const timeToReady = parameter('time to ready');
      if (operation !== undefined && attempts !== undefined && timeToReady !== undefined) {
        const ms = /^(\d+) ms$/.exec(timeToReady)?.[1];
        found.push({
          operation,
          outcome,
          attempts: Number(attempts),
          timeToReadyMs: ms === undefined ? undefined : Number(ms),
        });
      }
      visit(step.steps);
    }
  };
  visit(result.steps);
  return found;
}

/** Where the summary and the steps' own parameters disagree; empty when every figure matches. */
export function compareSummaryWithSteps(summary: ReadinessSummary, steps: readonly WaitStepParameters[]): string[] {
  const differences: string[] = [];
  const operations = new Set([...summary.operations.map((op) => op.operation), ...steps.map((step) => step.operation)]);
  for (const operation of operations) {
    const mine = steps.filter((step) => step.operation === operation);
    const times = mine.flatMap((step) => (step.timeToReadyMs === undefined ? [] : [step.timeToReadyMs]));
    const attempts = mine.map((step) => step.attempts);
    const fromSteps = {
      waits: mine.length,
      ready: times.length,
      p50: times.length ? percentile(times, 50) : null,
      p95: times.length ? percentile(times, 95) : null,
      max: times.length ? Math.max(...times) : null,
      attemptsMean: attempts.length ? Math.round(mean(attempts) * 10) / 10 : null,
      attemptsMax: attempts.length ? Math.max(...attempts) : null,
      slaBreaches: mine.filter((step) => step.outcome === 'timeout').length,
      failures: mine.filter(
        (step) => !['ready', 'timeout'].includes(step.outcome) && !step.outcome.endsWith('(provoked)'),
      ).length,
      provoked: mine.filter((step) => step.outcome.endsWith('(provoked)')).length,
    };
    const op = summary.operations.find((candidate) => candidate.operation === operation);
    const fromSummary = op && {
      waits: op.waits,
      ready: op.ready,
      p50: op.timeToReadyMs.p50,
      p95: op.timeToReadyMs.p95,
      max: op.timeToReadyMs.max,
      attemptsMean: op.attempts.mean,
      attemptsMax: op.attempts.max,
      slaBreaches: op.slaBreaches,
      failures: op.failures,
      provoked: op.provoked,
    };
    for (const [figure, value] of Object.entries(fromSteps)) {
      const summarised = fromSummary?.[figure as keyof typeof fromSteps];
      if (summarised !== value)
        differences.push(`${operation}: ${figure} is ${summarised} in the summary, ${value} in the steps`);
    }
  }
  return differences;
}
