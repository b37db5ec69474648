import { EnvError } from '../env';
import { seededRandom } from '../wait/clock';
import { WaitError, WaitFailure } from '../wait/errors';
import { describeError, seconds } from '../wait/format';
import { type Observer, runWait } from '../wait/kernel';
import { type WaitBasics, type WaitServices, waitContext } from '../wait/options';
import type { FatalCategory, Verdict } from '../wait/outcomes';
import { type ObservationMark, type WaitRecordFields, recordFields } from '../wait/record';
import { type ReportStep, reportWait, waitTitle } from '../wait/report';
import { type PastWait, type PhaseVisit, pastWaitOf, phaseVisits } from './history';
import { type CurrentPhase, type ScheduleBasis, planNextPoll } from './schedule';

// ---------------------------------------------------------------------------------------------
// What a caller provides

/** Sends one probe. It should give up after `timeoutMs`: the SLA leaves no more time than that. */
export type Probe<O> = (attempt: { number: number; timeoutMs: number }) => Promise<O>;
export type Classifier<O, R> = (observation: O) => Verdict<R> | Promise<Verdict<R>>;

/** Where the helper keeps and learns how long an operation usually takes to become ready: what earlier
 *  ready waits saw, as brackets (see PastWait), not their observed times, which include their overshoot. */
export type ReadinessHistory = {
  pastWaits(operation: string): readonly PastWait[];
  recordWait(operation: string, wait: PastWait): void;
};

export type PollWaitOutcome = 'ready' | 'timeout' | FatalCategory | 'probe-error' | 'classifier-error';

export type PollWaitOptions<O, R> = Omit<WaitBasics<Exclude<PollWaitOutcome, 'ready'>>, 'silenceMs'> &
  WaitServices & {
    probe: Probe<O>;
    classify: Classifier<O, R>;
    /** The server's hint for the first poll, e.g. the Retry-After of the 202 that started the operation. */
    initialRetryAfterMs?: number | undefined;
    /** False ignores every Retry-After: for benchmarks, or servers whose hints are known to be wrong. */
    honourRetryAfter?: boolean;
    history?: ReadinessHistory;
    random?: () => number;
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

export type PollWaitRecord = WaitRecordFields<PollWaitOutcome> & {
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

export type PollWaitResult<R> = { value: R; record: PollWaitRecord };

export class PollWaitError extends WaitError<PollWaitRecord> {
  override name = 'PollWaitError';
}

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
 * The kernel's loop runs as one expect.poll: throwing from its callback stops it immediately, a
 * non-matching value polls again.
 */
export async function waitUntilReady<O, R>(options: PollWaitOptions<O, R>): Promise<PollWaitResult<R>> {
  const context = waitContext(options, waitUntilReady);
  const { clock, clean } = context;
  const random = options.random ?? seededRandom(`${options.operation}:${options.subject}`);
  const honourRetryAfter = options.honourRetryAfter ?? true;
  let retryAfterMs = honourRetryAfter ? options.initialRetryAfterMs : undefined;
  let slowestAnswerMs: number | undefined;
  let finalProbe: FinalProbe | undefined;
  const timeline: AttemptRecord[] = [];
  // The attempt about to be sent, planned before its step opens.
  let planned: { waitedMs: number; basis: ScheduleBasis; budgetMs: number } | undefined;
  const minBudget = () => minProbeBudgetMs(slowestAnswerMs, options.slaMs);
  const timedOut = () => new WaitFailure('timeout', '');

  const observer: Observer<{ observation: O; attempt: AttemptRecord }> = {
    noun: 'attempt',
    stepping: 'observe-in-step',
    pushed: false,
    prepare: async ({ deadline }) => {
      // Too little of the SLA left for an answer: the wait ends on what it last saw.
      if (deadline.remainingMs() < minBudget()) throw timedOut();
      const plan = planNextPoll({
        attempts: timeline.length,
        elapsedMs: deadline.elapsedMs(),
        retryAfterMs,
        learned: options.history?.pastWaits(options.operation) ?? [],
        current: currentPhase(timeline),
        random,
      });
      // Never wait past the SLA: the last poll is sent while there is still time for an answer.
      const waitedMs = Math.max(0, Math.min(plan.delayMs, deadline.remainingMs() - minBudget()));
      if (waitedMs > 0) await clock.sleep(waitedMs);
      // A timer that fires late takes a few milliseconds off the budget, not the poll.
      const budgetMs = deadline.remainingMs();
      if (budgetMs <= 0) throw timedOut();
      planned = { waitedMs, basis: plan.basis, budgetMs };
    },
    observe: async ({ number, deadline }) => {
      const { waitedMs, basis, budgetMs } = planned!;
      const attemptStart = clock.now();
      const attempt: AttemptRecord = {
        number,
        startedAtMs: Math.round(attemptStart - deadline.startedAt),
        latencyMs: 0,
        waitedMs: Math.round(waitedMs),
        basis,
        httpStatus: undefined,
        observed: 'no answer',
        verdict: 'error',
        retryAfterMs: undefined,
        phase: undefined,
        queuePosition: undefined,
      };
      timeline.push(attempt);
      let observation: O;
      try {
        observation = await options.probe({ number, timeoutMs: budgetMs });
      } catch (error) {
        attempt.latencyMs = Math.round(clock.now() - attemptStart);
        // A missing or malformed setting is not a readiness problem: it comes out as itself, naming the key.
        if (error instanceof EnvError) throw error;
        attempt.observed = clean(describeError(error));
        finalProbe = { attempt: number, fate: 'no-answer', budgetMs: Math.round(budgetMs), error: attempt.observed };
        // A probe that gave up because the SLA ran out is a timeout, not a broken probe.
        if (clock.now() >= deadline.at - PROBE_TIMEOUT_TOLERANCE_MS) throw timedOut();
        const into = `on attempt ${number}, ${seconds(deadline.elapsedMs(), 1)} into the wait`;
        throw new WaitFailure('probe-error', `could not be observed ${into}: ${attempt.observed}`);
      }
      attempt.latencyMs = Math.round(clock.now() - attemptStart);
      slowestAnswerMs = Math.max(slowestAnswerMs ?? 0, attempt.latencyMs);
      const lateByMs = Math.round(clock.now() - deadline.at);
      finalProbe =
        lateByMs > 0
          ? { attempt: number, fate: 'answered-after-sla', lateByMs }
          : { attempt: number, fate: 'answered' };
      return { value: { observation, attempt }, at: attemptStart + attempt.latencyMs };
    },
  };

  const { values, record } = await runWait({
    basics: options,
    context,
    title: waitTitle(options.operation, options.subject, options.slaMs, options),
    observer,
    pollQuestion: `Is ${options.operation} of ${options.subject} ready?`,
    entry: (observed) => observed.value.attempt,
    classify: (observed: { observation: O }) => options.classify(observed.observation),
    noted: (attempt, mark, verdict) => {
      attempt.observed = mark.observed;
      if (!verdict) return;
      attempt.httpStatus = verdict.httpStatus;
      attempt.verdict = verdict.kind;
      if (verdict.kind !== 'not-ready') return;
      attempt.retryAfterMs = verdict.retryAfterMs;
      attempt.phase = verdict.phase;
      attempt.queuePosition = verdict.queuePosition;
      retryAfterMs = honourRetryAfter ? verdict.retryAfterMs : undefined;
    },
    finish: ({ outcome, deadline, endedAt }): PollWaitRecord => {
      const answered = timeline.filter((attempt) => attempt.verdict !== 'error');
      const lastAnswered = answered.at(-1);
      const marks: Pick<ObservationMark, 'atMs' | 'verdict'>[] = timeline.map((attempt) => ({
        atMs: answeredAt(attempt),
        verdict: attempt.verdict,
      }));
      return {
        ...recordFields({
          operation: options.operation,
          subject: options.subject,
          slaMs: options.slaMs,
          startedAt: deadline.startedAt,
          endedAt,
          outcome: outcome as PollWaitOutcome,
          expectedOutcome: options.expectedOutcome,
          attempts: timeline.length,
          bracket: {
            lastNotReadyMs: marks.findLast((mark) => mark.verdict === 'not-ready')?.atMs,
            firstReadyMs: marks.find((mark) => mark.verdict === 'ready')?.atMs,
          },
          estimate: 'bracket-middle',
        }),
        phases: phaseVisits(timeline),
        lastObservation: lastAnswered && {
          attempt: lastAnswered.number,
          atMs: answeredAt(lastAnswered),
          observed: lastAnswered.observed,
          httpStatus: lastAnswered.httpStatus,
          verdict: lastAnswered.verdict as LastObservation['verdict'],
        },
        finalProbe,
        minProbeBudgetMs: minBudget(),
        timeline,
      };
    },
    explain: (failure, finished) =>
      `${options.operation} of ${options.subject} ${failure.outcome === 'timeout' ? timeoutDetail(finished) : failure.detail}`,
    report,
    error: (message, finished) => new PollWaitError(message, finished),
    onReady: (finished) => options.history?.recordWait(options.operation, pastWaitOf(finished)!),
  });
  return { value: values[0]!, record };
}

function answeredAt(attempt: AttemptRecord): number {
  return Math.round(attempt.startedAtMs + attempt.latencyMs);
}

/** The phase the last answer showed, when the classifier named one: what the next poll is planned from. */
function currentPhase(timeline: readonly AttemptRecord[]): CurrentPhase | undefined {
  const visit = phaseVisits(timeline).at(-1);
  const last = timeline.findLast((attempt) => attempt.verdict !== 'error');
  if (!visit || visit.left !== undefined || !last) return undefined;
  const position = last.queuePosition === undefined ? undefined : { value: last.queuePosition, atMs: answeredAt(last) };
  return { phase: visit.phase, entered: visit.entered, queuePosition: position };
}

async function report(step: ReportStep, record: PollWaitRecord): Promise<void> {
  await reportWait(step, record, {
    attempts: 'attempts',
    times: { 'estimated time to ready': record.estimatedTimeToReadyMs },
  });
}

// The last status the API reported, never a probe's own request timeout; what became of the final
// poll, when it did not answer in time, follows it.
function timeoutDetail(record: PollWaitRecord): string {
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
