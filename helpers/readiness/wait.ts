import { expect } from '@playwright/test';
import { EnvError } from '../env';
import type { Redactor } from '../secrets/redactor';
import { type Clock, seededRandom, systemClock } from './clock';
import { type PastWait, type PhaseVisit, pastWaitOf, phaseVisits } from './history';
import { type CurrentPhase, type ScheduleBasis, planNextPoll } from './schedule';

// ---------------------------------------------------------------------------------------------
// What a caller provides

export type FatalCategory = 'terminal-failure' | 'unexpected-status' | 'contract-violation';

/** What one observation means. `observed` is a short description for reports: "status processing". */
export type Verdict<R> =
  | { kind: 'ready'; value: R; observed: string; httpStatus?: number }
  | NotReadyVerdict
  | { kind: 'fatal'; category: FatalCategory; observed: string; httpStatus?: number; evidence: string };

export type NotReadyVerdict = {
  kind: 'not-ready';
  observed: string;
  httpStatus?: number;
  retryAfterMs?: number | undefined;
  /** The phase the subject is in (`queued`, `processing`…): the schedule learns how long each one takes. */
  phase?: string | undefined;
  /** Its place in a queue, when the API says (1: the next one taken). */
  queuePosition?: number | undefined;
};

/** Sends one probe. It should give up after `timeoutMs`: the SLA leaves no more time than that. */
export type Probe<O> = (attempt: { number: number; timeoutMs: number }) => Promise<O>;
export type Classifier<O, R> = (observation: O) => Verdict<R> | Promise<Verdict<R>>;

/** Where the helper keeps and learns how long an operation usually takes to become ready: what earlier
 *  ready waits saw, as brackets (see PastWait), not their observed times, which include their overshoot. */
export type ReadinessHistory = {
  pastWaits(operation: string): readonly PastWait[];
  recordWait(operation: string, wait: PastWait): void;
};

/** A report step; the fixture maps it onto Allure and Playwright steps. */
export type ReportStep = {
  rename(title: string): Promise<void>;
  parameter(name: string, value: string): Promise<void>;
  attachJson(name: string, value: unknown): Promise<void>;
};
export type ReadinessReporter = {
  step<T>(title: string, body: (step: ReportStep) => Promise<T>): Promise<T>;
};

export type WaitOptions<O, R> = {
  /** What is awaited, as developers call it ("image generation"); also the key of learned timings. */
  operation: string;
  /** Which instance of it ("task tsk_42"). */
  subject: string;
  /** The business SLA of the operation: the wait never runs past it. */
  slaMs: number;
  probe: Probe<O>;
  classify: Classifier<O, R>;
  /** The server's hint for the first poll, e.g. the Retry-After of the 202 that started the operation. */
  initialRetryAfterMs?: number | undefined;
  /** False ignores every Retry-After: for benchmarks, or servers whose hints are known to be wrong. */
  honourRetryAfter?: boolean;
  /** For tests that provoke a failure on purpose: the outcome they expect. The wait still throws,
   *  but its record says it was provoked, and the readiness summary counts it apart. */
  expectedOutcome?: Exclude<WaitOutcome, 'ready'>;
  history?: ReadinessHistory;
  reporter?: ReadinessReporter;
  /** When given, every text the wait writes into its error, its record and its steps passes it. */
  redactor?: Redactor;
  clock?: Clock;
  random?: () => number;
  /** Where a failure is reported to come from; by default the caller of waitUntilReady. */
  callSite?: Error;
};

// ---------------------------------------------------------------------------------------------
// What the helper records and returns

export type AttemptRecord = {
  number: number;
  /** Milliseconds from the start of the wait to the request, and how long it took. */
  startedAtMs: number;
  latencyMs: number;
  /** What the wait before this attempt was based on, and how long it was. */
  waitedMs: number;
  basis: ScheduleBasis;
  httpStatus: number | undefined;
  observed: string;
  verdict: 'ready' | 'not-ready' | 'fatal' | 'error';
  retryAfterMs: number | undefined;
  /** The not-ready phase and queue position the classifier read from the answer, if any. */
  phase: string | undefined;
  queuePosition: number | undefined;
};

/** The last thing the API said during a wait: the last attempt that got an answer and was classified. */
export type LastObservation = {
  attempt: number;
  /** Milliseconds from the start of the wait to the answer. */
  atMs: number;
  observed: string;
  httpStatus: number | undefined;
  verdict: 'ready' | 'not-ready' | 'fatal';
};

/** What became of the wait's last attempt: answered within the SLA, answered after it, or not at all. */
export type FinalProbe =
  | { attempt: number; fate: 'answered' }
  | { attempt: number; fate: 'answered-after-sla'; lateByMs: number }
  | { attempt: number; fate: 'no-answer'; budgetMs: number; error: string };

export type WaitOutcome = 'ready' | 'timeout' | FatalCategory | 'probe-error' | 'classifier-error';

export type WaitRecord = {
  operation: string;
  subject: string;
  slaMs: number;
  startedAt: string;
  outcome: WaitOutcome;
  /** True when the outcome is the failure the test provoked on purpose (see expectedOutcome). */
  provoked: boolean;
  attempts: number;
  elapsedMs: number;
  /** The observed time to ready: from the start of the wait to the observation that found it ready;
   *  undefined unless ready. What a client of the API waited, overshoot of the polling included. */
  observedTimeToReadyMs: number | undefined;
  /** The estimated time to ready: the middle of the bracket (the history keeps the bracket); undefined unless ready. */
  estimatedTimeToReadyMs: number | undefined;
  /** The observed time to ready, under its earlier name. */
  timeToReadyMs: number | undefined;
  /** Readiness happened after the last not-ready observation and by the first ready one (ms from start). */
  bracket: { lastNotReadyMs: number | undefined; firstReadyMs: number | undefined };
  /** The not-ready phases the answers showed, when the classifier names them, with when each was entered and left. */
  phases: PhaseVisit[];
  /** The last answer of the API, whatever became of the attempts after it; undefined when none answered. */
  lastObservation: LastObservation | undefined;
  /** What became of the last attempt; undefined when none was sent. */
  finalProbe: FinalProbe | undefined;
  /** The least time left for which a poll was still sent, as it stood at the end (see minProbeBudgetMs). */
  minProbeBudgetMs: number;
  timeline: AttemptRecord[];
};

export type WaitResult<R> = { value: R; record: WaitRecord };

/** A wait that failed, with the record of what it saw: the base of every kind of wait's error. */
export class WaitError<R = unknown> extends Error {
  constructor(
    message: string,
    readonly record: R,
  ) {
    super(message);
  }
}

export class ReadinessError extends WaitError<WaitRecord> {
  override name = 'ReadinessError';
}

/** The name of the attachment that carries a wait's record; the readiness summary is built from these. */
export const READINESS_ATTACHMENT = 'readiness timeline';

/** Ends a wait from inside one of its steps; turned into the wait's own error once that step is closed. */
export class WaitFailure<O extends string = Exclude<WaitOutcome, 'ready'>> extends Error {
  constructor(
    readonly outcome: O,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** A polling wait's own failures, told apart from a failure of any other wait it may run inside. */
class PollFailure extends WaitFailure {}

// No poll is sent with less of the SLA left than a request can plausibly use: it would time out
// unanswered, and tell nothing. How long that is comes from the wait's own answers: three times the
// slowest probe latency seen so far in the wait, at least 100 ms, at most a quarter of the SLA (so that
// one slow answer cannot end a wait early). Measured against the demo API on a 2-core machine, 8 tests
// on 4 workers polling tasks every 100 ms, idle and with both cores kept busy (about 1,500 polls):
// latency p50 46–55 ms, p99 177–322 ms, max 486 ms, about the same idle or busy; a poll took up to 3.6
// times the slowest one before it in the same wait, more than twice in at most 0.8 % of polls, more
// than 3 times in at most 0.3 %, more than 4 times never. Three times, not four: a final poll left
// unanswered costs one request and is reported as such, while every millisecond of budget held back
// is one in which readiness within the SLA goes unseen.
const PROBE_BUDGET_FLOOR_MS = 100;
const PROBE_BUDGET_LATENCY_FACTOR = 3;
const PROBE_BUDGET_MAX_SHARE_OF_SLA = 0.25;
// A probe that fails this close to the deadline gave up because its budget ran out.
const PROBE_TIMEOUT_TOLERANCE_MS = 20;
// expect.poll's own timeout sits past the SLA, so that the helper's message is the one shown.
const POLL_TIMEOUT_MARGIN_MS = 5_000;

const MESSAGE_PREFIX: Record<Exclude<WaitOutcome, 'ready'>, string> = {
  timeout: 'Readiness timeout',
  'terminal-failure': 'Terminal failure reported by the API',
  'unexpected-status': 'Unexpected HTTP status',
  'contract-violation': 'Contract violation',
  'probe-error': 'Probe failed',
  'classifier-error': 'Classifier error',
};

/** The least time left for which a poll is still sent, given the slowest answer seen so far in the wait. */
export function minProbeBudgetMs(slowestLatencyMs: number | undefined, slaMs: number): number {
  const fromLatency = Math.max(PROBE_BUDGET_FLOOR_MS, PROBE_BUDGET_LATENCY_FACTOR * (slowestLatencyMs ?? 0));
  return Math.round(Math.min(fromLatency, PROBE_BUDGET_MAX_SHARE_OF_SLA * slaMs));
}

/**
 * Polls until the classifier calls an observation ready, and returns it with the record of every
 * attempt. A not-ready observation is polled again, on a schedule close to the moment of readiness;
 * a fatal one, an exception and the end of the SLA fail the wait at once, with the evidence.
 *
 * Built on expect.poll: throwing from its callback stops it immediately, a non-matching value polls again.
 */
export async function waitUntilReady<O, R>(options: WaitOptions<O, R>): Promise<WaitResult<R>> {
  const callSite = options.callSite ?? captureCallSite(waitUntilReady);
  const clock = options.clock ?? systemClock;
  const reporter = options.reporter ?? silentReporter;
  const random = options.random ?? seededRandom(`${options.operation}:${options.subject}`);
  const honourRetryAfter = options.honourRetryAfter ?? true;
  const clean = (text: string) => (options.redactor ? options.redactor.text(text) : text);
  const provoking = options.expectedOutcome
    ? `, provoking ${MESSAGE_PREFIX[options.expectedOutcome].toLowerCase()}`
    : '';
  const title = `Wait for ${options.operation}: ${options.subject} (SLA ${seconds(options.slaMs)}${provoking})`;

  return reporter.step(clean(title), async (waitStep) => {
    const start = clock.now();
    const deadline = start + options.slaMs;
    const timeline: AttemptRecord[] = [];
    let retryAfterMs = honourRetryAfter ? options.initialRetryAfterMs : undefined;
    let slowestAnswerMs: number | undefined;
    let finalProbe: FinalProbe | undefined;
    let ready: { value: R } | undefined;
    const minBudget = () => minProbeBudgetMs(slowestAnswerMs, options.slaMs);

    const record = (outcome: WaitOutcome): WaitRecord => {
      const firstReady = timeline.find((attempt) => attempt.verdict === 'ready');
      const lastNotReady = timeline.findLast((attempt) => attempt.verdict === 'not-ready');
      const lastAnswered = timeline.findLast((attempt) => attempt.verdict !== 'error');
      const answeredAt = (attempt: AttemptRecord | undefined) =>
        attempt && Math.round(attempt.startedAtMs + attempt.latencyMs);
      const bracket = { lastNotReadyMs: answeredAt(lastNotReady), firstReadyMs: answeredAt(firstReady) };
      const observedTimeToReadyMs = outcome === 'ready' ? bracket.firstReadyMs : undefined;
      return {
        operation: options.operation,
        subject: options.subject,
        slaMs: options.slaMs,
        startedAt: new Date(start).toISOString(),
        outcome,
        provoked: outcome !== 'ready' && outcome === options.expectedOutcome,
        attempts: timeline.length,
        elapsedMs: Math.round(clock.now() - start),
        observedTimeToReadyMs,
        estimatedTimeToReadyMs: outcome === 'ready' ? estimatedTimeToReady(bracket) : undefined,
        timeToReadyMs: observedTimeToReadyMs,
        bracket,
        phases: phaseVisits(timeline),
        lastObservation: lastAnswered && {
          attempt: lastAnswered.number,
          atMs: answeredAt(lastAnswered)!,
          observed: lastAnswered.observed,
          httpStatus: lastAnswered.httpStatus,
          verdict: lastAnswered.verdict as LastObservation['verdict'],
        },
        finalProbe,
        minProbeBudgetMs: minBudget(),
        timeline,
      };
    };
    const timedOut = () => new PollFailure('timeout', '');

    const pollOnce = async (): Promise<'ready' | 'not ready'> => {
      const number = timeline.length + 1;
      // Too little of the SLA left for an answer: the wait ends on what it last saw.
      if (deadline - clock.now() < minBudget()) throw timedOut();
      const plan = planNextPoll({
        attempts: timeline.length,
        elapsedMs: clock.now() - start,
        retryAfterMs,
        learned: options.history?.pastWaits(options.operation) ?? [],
        current: currentPhase(timeline),
        random,
      });
      // Never wait past the SLA: the last poll is sent while there is still time for an answer.
      const waitedMs = Math.max(0, Math.min(plan.delayMs, deadline - clock.now() - minBudget()));
      if (waitedMs > 0) await clock.sleep(waitedMs);
      // A timer that fires late takes a few milliseconds off the budget, not the poll.
      const budget = deadline - clock.now();
      if (budget <= 0) throw timedOut();

      return reporter.step(`Attempt ${number}`, async (attemptStep) => {
        const attemptStart = clock.now();
        const attempt: AttemptRecord = {
          number,
          startedAtMs: Math.round(attemptStart - start),
          latencyMs: 0,
          waitedMs: Math.round(waitedMs),
          basis: plan.basis,
          httpStatus: undefined,
          observed: 'no answer',
          verdict: 'error',
          retryAfterMs: undefined,
          phase: undefined,
          queuePosition: undefined,
        };
        timeline.push(attempt);
        const into = () => `on attempt ${number}, ${seconds(clock.now() - start, 1)} into the wait`;

        let observation: O;
        try {
          observation = await options.probe({ number, timeoutMs: budget });
        } catch (error) {
          attempt.latencyMs = Math.round(clock.now() - attemptStart);
          // A missing or malformed setting is not a readiness problem: it comes out as itself, naming the key.
          if (error instanceof EnvError) throw error;
          attempt.observed = clean(describeError(error));
          finalProbe = { attempt: number, fate: 'no-answer', budgetMs: Math.round(budget), error: attempt.observed };
          // A probe that gave up because the SLA ran out is a timeout, not a broken probe.
          if (clock.now() >= deadline - PROBE_TIMEOUT_TOLERANCE_MS) throw timedOut();
          throw new PollFailure('probe-error', `could not be observed ${into()}: ${attempt.observed}`);
        }
        attempt.latencyMs = Math.round(clock.now() - attemptStart);
        slowestAnswerMs = Math.max(slowestAnswerMs ?? 0, attempt.latencyMs);
        const lateByMs = Math.round(clock.now() - deadline);
        finalProbe =
          lateByMs > 0
            ? { attempt: number, fate: 'answered-after-sla', lateByMs }
            : { attempt: number, fate: 'answered' };

        let verdict: Verdict<R>;
        try {
          verdict = await options.classify(observation);
        } catch (error) {
          attempt.observed = 'classifier threw';
          throw new PollFailure(
            'classifier-error',
            `could not be classified ${into()}: the classifier threw ${clean(describeError(error))}`,
          );
        }
        attempt.observed = clean(verdict.observed);
        attempt.httpStatus = verdict.httpStatus;
        attempt.verdict = verdict.kind;
        await attemptStep.rename(`Attempt ${number}: ${attempt.observed} → ${VERDICT_WORD[verdict.kind]}`);

        if (verdict.kind === 'fatal') {
          throw new PollFailure(verdict.category, `failed ${into()}: ${clean(verdict.evidence)}`);
        }
        if (verdict.kind === 'not-ready') {
          if (clock.now() >= deadline) throw timedOut();
          attempt.retryAfterMs = verdict.retryAfterMs;
          attempt.phase = verdict.phase;
          attempt.queuePosition = verdict.queuePosition;
          retryAfterMs = honourRetryAfter ? verdict.retryAfterMs : undefined;
          return 'not ready';
        }
        // Seen ready, but after the SLA: the client was kept waiting too long all the same.
        if (clock.now() > deadline) throw timedOut();
        ready = { value: verdict.value };
        return 'ready';
      });
    };

    try {
      // Every not-ready attempt shows in Playwright's own report as a failed check under the poll: a
      // question answered "no" reads better there than a failed `toBe`.
      const question = clean(`Is ${options.operation} of ${options.subject} ready?`);
      await expect
        .poll(pollOnce, { message: question, timeout: options.slaMs + POLL_TIMEOUT_MARGIN_MS, intervals: [0] })
        .toBe('ready');
    } catch (error) {
      if (!(error instanceof PollFailure)) throw error;
      // Reported here, on the wait's own step, now that the attempt's step is closed.
      const failed = record(error.outcome);
      await report(waitStep, failed);
      const detail = error.outcome === 'timeout' ? timeoutDetail(failed) : error.detail;
      const message = clean(`${MESSAGE_PREFIX[error.outcome]}: ${options.operation} of ${options.subject} ${detail}`);
      throw atCallSite(new ReadinessError(message, failed), callSite);
    }

    const finished = record('ready');
    options.history?.recordWait(options.operation, pastWaitOf(finished)!);
    await report(waitStep, finished);
    return { value: ready!.value, record: finished };
  });
}

const VERDICT_WORD = { ready: 'ready', 'not-ready': 'not ready', fatal: 'fatal' } as const;

/** The phase the last answer showed, when the classifier named one: what the next poll is planned from. */
function currentPhase(timeline: readonly AttemptRecord[]): CurrentPhase | undefined {
  const visit = phaseVisits(timeline).at(-1);
  const last = timeline.findLast((attempt) => attempt.verdict !== 'error');
  if (!visit || visit.left !== undefined || !last) return undefined;
  const atMs = Math.round(last.startedAtMs + last.latencyMs);
  const position = last.queuePosition === undefined ? undefined : { value: last.queuePosition, atMs };
  return { phase: visit.phase, entered: visit.entered, queuePosition: position };
}

/** The stack of whoever called `fn`, so that a failure points at the test, not at this helper. */
export function captureCallSite(fn: (...args: never[]) => unknown): Error {
  const site = new Error();
  Error.captureStackTrace(site, fn);
  return site;
}

function atCallSite(error: Error, callSite: Error): Error {
  const frames = (callSite.stack ?? '').split('\n').slice(1);
  error.stack = [`${error.name}: ${error.message}`, ...frames].join('\n');
  return error;
}

// Readiness happened somewhere in the bracket; its middle is a better lesson than its end, which
// includes the overshoot of this wait's own schedule.
function estimatedTimeToReady(bracket: WaitRecord['bracket']): number {
  const firstReady = bracket.firstReadyMs!;
  return bracket.lastNotReadyMs === undefined ? firstReady : Math.round((bracket.lastNotReadyMs + firstReady) / 2);
}

async function report(step: ReportStep, record: WaitRecord): Promise<void> {
  await reportWait(step, record, {
    attempts: 'attempts',
    times: { 'estimated time to ready': record.estimatedTimeToReadyMs },
  });
}

/**
 * A wait's parameters on its step, and its record attached: what the readiness summary and its check
 * read, for polled and pushed waits alike. `attempts` names what was counted (attempts, messages,
 * deliveries); `times` and `counts` add what a kind of wait measures besides.
 */
export async function reportWait(
  step: ReportStep,
  record: Pick<WaitRecord, 'operation' | 'provoked' | 'attempts' | 'observedTimeToReadyMs'> & { outcome: string },
  extra: { attempts: string; counts?: Record<string, number>; times?: Record<string, number | undefined> },
): Promise<void> {
  const notReady = `not ready (${record.outcome})`;
  const ms = (value: number | undefined) => (value === undefined ? notReady : `${value} ms`);
  await step.parameter('operation', record.operation);
  await step.parameter('outcome', record.provoked ? `${record.outcome} (provoked)` : record.outcome);
  await step.parameter(extra.attempts, String(record.attempts));
  for (const [name, value] of Object.entries(extra.counts ?? {})) await step.parameter(name, String(value));
  await step.parameter('observed time to ready', ms(record.observedTimeToReadyMs));
  for (const [name, value] of Object.entries(extra.times ?? {})) await step.parameter(name, ms(value));
  await step.attachJson(READINESS_ATTACHMENT, record);
}

// The last status the API reported, never a probe's own request timeout; what became of the final
// poll, when it did not answer in time, follows it.
function timeoutDetail(record: WaitRecord): string {
  const last = record.lastObservation;
  const status = last?.httpStatus && !last.observed.startsWith('HTTP ') ? ` (HTTP ${last.httpStatus})` : '';
  const lastSeen = last ? `last ${last.observed}${status}` : 'never observed';
  const attempts = `${record.attempts} ${record.attempts === 1 ? 'attempt' : 'attempts'}`;
  const final = record.finalProbe;
  const note =
    final?.fate === 'no-answer'
      ? `; the final poll got no answer within the remaining ${final.budgetMs} ms`
      : final?.fate === 'answered-after-sla' && last?.verdict === 'ready'
        ? `; the final poll found it ready ${final.lateByMs} ms after the SLA`
        : '';
  return `not ready within the ${seconds(record.slaMs)} SLA: ${lastSeen} after ${attempts} in ${seconds(record.elapsedMs, 1)}${note}`;
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return message.split('\n', 1)[0] ?? message;
}

export function seconds(ms: number, decimals = 0): string {
  const value = ms / 1000;
  return `${decimals === 0 && Number.isInteger(value) ? value : value.toFixed(decimals || 1)} s`;
}

const silentStep: ReportStep = {
  rename: async () => undefined,
  parameter: async () => undefined,
  attachJson: async () => undefined,
};
const silentReporter: ReadinessReporter = { step: (_title, body) => body(silentStep) };
