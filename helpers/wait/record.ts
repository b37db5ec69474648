import type { VerdictKind, WaitOutcome } from './outcomes';

/** One observation as the kernel keeps it, whatever observed it: when, what, and what it meant. */
export type ObservationMark = {
  number: number;
  /** Milliseconds from the start of the wait to the answer or the receipt (negative: before the wait began). */
  atMs: number;
  observed: string;
  /** 'error': the observation could not be made (a poll without an answer). */
  verdict: VerdictKind | 'error';
};

/** What every wait's record holds, so that the readiness summary reads polled and pushed waits alike;
 *  `attempts` counts polls, deliveries or messages. */
export type WaitRecordFields<O extends string = WaitOutcome> = {
  operation: string;
  subject: string;
  slaMs: number;
  startedAt: string;
  outcome: O;
  /** True when the outcome is the failure the test provoked on purpose (see expectedOutcome). */
  provoked: boolean;
  attempts: number;
  elapsedMs: number;
  /** The observed time to ready: from the start of the wait to the observation that found it ready;
   *  undefined unless ready. What a client of the API waited, overshoot of the polling included. */
  observedTimeToReadyMs: number | undefined;
  /** The estimated time to ready: the middle of the bracket for a poll, the receipt of a push; undefined unless ready. */
  estimatedTimeToReadyMs: number | undefined;
  /** The observed time to ready, under its earlier name. */
  timeToReadyMs: number | undefined;
  /** Readiness happened after the last not-ready observation and by the first ready one (ms from start). */
  bracket: { lastNotReadyMs: number | undefined; firstReadyMs: number | undefined };
  /** A silent wait only: the silence limit, and how long nothing had been heard when it ended. */
  silence?: { limitMs: number; silentForMs: number };
};

/** Readiness happened after the last not-ready observation and by the first ready one. */
export function bracketOf(marks: readonly Pick<ObservationMark, 'atMs' | 'verdict'>[]): WaitRecordFields['bracket'] {
  return {
    lastNotReadyMs: marks.findLast((mark) => mark.verdict === 'not-ready')?.atMs,
    firstReadyMs: marks.find((mark) => mark.verdict === 'ready')?.atMs,
  };
}

/**
 * The fields every record shares. A push is sent when the work is done, so its estimate is its receipt;
 * a poll's readiness happened somewhere in its bracket, whose middle is a better lesson than its end,
 * which includes the overshoot of the poll's own schedule.
 */
export function recordFields<O extends string>(wait: {
  operation: string;
  subject: string;
  slaMs: number;
  startedAt: number;
  endedAt: number;
  outcome: O;
  expectedOutcome: string | undefined;
  attempts: number;
  bracket: WaitRecordFields['bracket'];
  estimate: 'bracket-middle' | 'first-ready';
  silence?: WaitRecordFields['silence'];
}): WaitRecordFields<O> {
  const ready = wait.outcome === 'ready';
  const { lastNotReadyMs, firstReadyMs } = wait.bracket;
  const observed = ready ? firstReadyMs : undefined;
  const estimated =
    !ready || firstReadyMs === undefined
      ? undefined
      : wait.estimate === 'first-ready' || lastNotReadyMs === undefined
        ? firstReadyMs
        : Math.round((lastNotReadyMs + firstReadyMs) / 2);
  return {
    operation: wait.operation,
    subject: wait.subject,
    slaMs: wait.slaMs,
    startedAt: new Date(wait.startedAt).toISOString(),
    outcome: wait.outcome,
    provoked: !ready && wait.outcome === wait.expectedOutcome,
    attempts: wait.attempts,
    elapsedMs: Math.round(wait.endedAt - wait.startedAt),
    observedTimeToReadyMs: observed,
    estimatedTimeToReadyMs: estimated,
    timeToReadyMs: observed,
    bracket: wait.bracket,
    ...(wait.silence ? { silence: wait.silence } : {}),
  };
}
