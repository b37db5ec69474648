import {
  type OperationSummary,
  type ReadinessSummary,
  type WaitKind,
  attemptFigures,
  kindOfWait,
  timeFigures,
} from './summary';

type Step = { name?: string; parameters?: Array<{ name: string; value: string }>; steps?: Step[] };

/** A wait as its Allure step shows it: the parameters operation, outcome, attempts and the times to ready. */
export type WaitStepParameters = {
  operation: string;
  outcome: string;
  attempts: number;
  observedTimeToReadyMs: number | undefined;
  estimatedTimeToReadyMs: number | undefined;
  /** Whether the step has an `estimated time to ready` at all (waits on a push, say, may not). */
  showsEstimate: boolean;
};

// What a wait counts, as its step names it: the polls of a polling wait, the messages of a stream,
// the deliveries of a webhook.
const ATTEMPT_PARAMETERS = ['attempts', 'messages', 'deliveries'];

/** Every readiness wait step in an Allure result (a parsed `*-result.json`). */
export function waitStepsOf(result: { steps?: Step[] }): WaitStepParameters[] {
  const found: WaitStepParameters[] = [];
  const visit = (steps: Step[] = []) => {
    for (const step of steps) {
      const parameter = (name: string) => step.parameters?.find((candidate) => candidate.name === name)?.value;
      const ms = (value: string | undefined) => {
        const digits = value === undefined ? undefined : /^(\d+) ms$/.exec(value)?.[1];
        return digits === undefined ? undefined : Number(digits);
      };
      const operation = parameter('operation');
      const attempts = ATTEMPT_PARAMETERS.map(parameter).find((value) => value !== undefined);
      const estimated = parameter('estimated time to ready');
      // Results written before the times to ready had their names carry a single `time to ready`.
      const observed = parameter('observed time to ready') ?? parameter('time to ready');
      if (operation !== undefined && attempts !== undefined && observed !== undefined) {
        found.push({
          operation,
          outcome: parameter('outcome') ?? '',
          attempts: Number(attempts),
          observedTimeToReadyMs: ms(observed),
          estimatedTimeToReadyMs: ms(estimated),
          showsEstimate: estimated !== undefined,
        });
      }
      visit(step.steps);
    }
  };
  visit(result.steps);
  return found;
}

const PROVOKED = ' (provoked)';
const KINDS: readonly WaitKind[] = ['ready', 'slaBreaches', 'failures', 'provoked'];

/** Where the summary and the steps' own parameters disagree; empty when every figure matches. */
export function compareSummaryWithSteps(summary: ReadinessSummary, steps: readonly WaitStepParameters[]): string[] {
  const differences: string[] = [];
  const operations = new Set([...summary.operations.map((op) => op.operation), ...steps.map((step) => step.operation)]);
  for (const operation of operations) {
    const mine = steps.filter((step) => step.operation === operation);
    const kindOf = (step: WaitStepParameters) =>
      kindOfWait({ outcome: step.outcome.replace(PROVOKED, ''), provoked: step.outcome.endsWith(PROVOKED) });
    const ofKind = (kind: WaitKind) => mine.filter((step) => kindOf(step) === kind);
    const readySteps = ofKind('ready');
    const times = (pick: (step: WaitStepParameters) => number | undefined) =>
      readySteps.flatMap((step) => (pick(step) === undefined ? [] : [pick(step)!]));
    const attemptsOf = (kind: WaitKind) => attemptFigures(ofKind(kind).map((step) => step.attempts));
    const fromSteps = figures({
      waits: mine.length,
      ready: readySteps.length,
      observedTimeToReadyMs: timeFigures(times((step) => step.observedTimeToReadyMs)),
      estimatedTimeToReadyMs: timeFigures(times((step) => step.estimatedTimeToReadyMs)),
      attempts: {
        ready: attemptsOf('ready'),
        slaBreaches: attemptsOf('slaBreaches'),
        failures: attemptsOf('failures'),
        provoked: attemptsOf('provoked'),
      },
      slaBreaches: ofKind('slaBreaches').length,
      failures: ofKind('failures').length,
      provoked: ofKind('provoked').length,
    });
    const op = summary.operations.find((candidate) => candidate.operation === operation);
    const fromSummary = op && figures(op);
    const estimateShown = mine.some((step) => step.showsEstimate);
    for (const [figure, value] of Object.entries(fromSteps)) {
      // The estimated time to ready can be checked only where the steps show it.
      if (!estimateShown && figure.startsWith('estimated ')) continue;
      const summarised = fromSummary?.[figure];
      if (summarised !== value)
        differences.push(`${operation}: ${figure} is ${summarised} in the summary, ${value} in the steps`);
    }
  }
  return differences;
}

type Counted = Pick<
  OperationSummary,
  | 'waits'
  | 'observedTimeToReadyMs'
  | 'estimatedTimeToReadyMs'
  | 'attempts'
  | 'ready'
  | 'slaBreaches'
  | 'failures'
  | 'provoked'
>;

// The figures both sides can tell, flat and named as a reader of the difference would look for them.
function figures(op: Counted): Record<string, number | null> {
  return {
    waits: op.waits,
    ready: op.ready,
    'observed p50': op.observedTimeToReadyMs.p50,
    'observed p95': op.observedTimeToReadyMs.p95,
    'observed max': op.observedTimeToReadyMs.max,
    'estimated p50': op.estimatedTimeToReadyMs.p50,
    'estimated p95': op.estimatedTimeToReadyMs.p95,
    'estimated max': op.estimatedTimeToReadyMs.max,
    slaBreaches: op.slaBreaches,
    failures: op.failures,
    provoked: op.provoked,
    ...Object.fromEntries(
      KINDS.flatMap((kind) => [
        [`attempts mean (${kind})`, op.attempts[kind].mean],
        [`attempts max (${kind})`, op.attempts[kind].max],
      ]),
    ),
  };
}

/**
 * Why a summary cannot be checked against an allure-results folder at all: no test result in it, or
 * fewer wait steps than the summary claims (results of another run, or of a run cut short).
 * Undefined when the check can go ahead.
 */
export function nothingToCheck(
  summary: Pick<ReadinessSummary, 'waits'>,
  testResults: number,
  waitSteps: number,
): string | undefined {
  if (testResults === 0) return 'holds no test result: run the tests first (npx playwright test)';
  if (waitSteps < summary.waits) {
    const steps = `${waitSteps} wait ${waitSteps === 1 ? 'step' : 'steps'}`;
    return `holds ${steps}, fewer than the ${summary.waits} waits the readiness summary claims: the results are not of the run the summary describes`;
  }
  return undefined;
}
