import type { Classifier, Probe } from '../../readiness/wait';
import type { Deadline } from '../../wait/deadline';
import { count, describeError, firstLine, seconds } from '../../wait/format';
import type { WaitContext } from '../../wait/options';
import { finishedAtOf } from '../completed-at';

/** The slow polling that runs beside a webhook wait, to tell a lost webhook from a job that is not done. */
export type FallbackPoll<O, R> = {
  probe: Probe<O>;
  /** Ready means done (a failed job is done too: its webhook is due as well); see the readiness classifiers. */
  classify: Classifier<O, R>;
  /** Time between polls; a quarter of the SLA by default: three polls. */
  intervalMs?: number;
  /** When a ready value was done, by the server's clock; by default its `completedAt` or `failedAt`. */
  completedAt?: (value: R) => string | null | undefined;
};

export type PollRecord = {
  number: number;
  startedAtMs: number;
  latencyMs: number;
  httpStatus: number | undefined;
  observed: string;
  verdict: 'ready' | 'not-ready' | 'fatal' | 'error';
  /** When a ready answer says the job was done, in ms from the start of the wait (by the server's clock). */
  completedAtMs: number | undefined;
};

const POLL_VERDICT_WORD = { ready: 'done', 'not-ready': 'not done', fatal: 'fatal', error: 'no answer' } as const;

/**
 * Polls every `intervalMs` beside a wait, each poll a step of its own, recorded and never failing the
 * wait: it only says, in the end, whether the job was done. A poll that could not be answered before
 * the SLA is not sent; one in flight is work of the wait's deadline, which lets it finish.
 */
export function startFallbackPoll<O, R>(
  poll: FallbackPoll<O, R>,
  wait: { deadline: Deadline; context: WaitContext; intervalMs: number },
): { polls: PollRecord[]; stop: () => void } {
  const { deadline, context, intervalMs } = wait;
  const { clock, clean } = context;
  const completedAtOf = poll.completedAt ?? finishedAtOf;
  const polls: PollRecord[] = [];
  let inFlight = false;
  let cancelNext: () => void = () => undefined;
  let stopped = false;

  const pollOnce = async (number: number) => {
    const budget = deadline.remainingMs();
    const pollStart = clock.now();
    const entry: PollRecord = {
      number,
      startedAtMs: Math.round(pollStart - deadline.startedAt),
      latencyMs: 0,
      httpStatus: undefined,
      observed: 'no answer',
      verdict: 'error',
      completedAtMs: undefined,
    };
    polls.push(entry);
    // Never rejects: what went wrong is the poll's record.
    await context.reporter
      .step(`Poll ${number}`, async (step) => {
        try {
          const observation = await poll.probe({ number, timeoutMs: budget });
          entry.latencyMs = Math.round(clock.now() - pollStart);
          const verdict = await poll.classify(observation);
          entry.httpStatus = verdict.httpStatus;
          entry.observed = clean(verdict.observed);
          entry.verdict = verdict.kind;
          if (verdict.kind === 'ready') {
            const doneAt = Date.parse(completedAtOf(verdict.value) ?? '');
            if (Number.isFinite(doneAt)) entry.completedAtMs = Math.round(doneAt - deadline.startedAt);
          }
          if (verdict.kind === 'fatal') entry.observed = clean(`${verdict.observed}: ${firstLine(verdict.evidence)}`);
        } catch (error) {
          entry.latencyMs = Math.round(clock.now() - pollStart);
          entry.observed = clean(describeError(error));
        }
        await step.rename(`Poll ${number}: ${entry.observed} → ${POLL_VERDICT_WORD[entry.verdict]}`);
      })
      .catch(() => undefined);
  };
  const schedule = () => {
    // A poll that could not be answered before the SLA would say nothing.
    if (stopped || clock.now() + intervalMs > deadline.at - intervalMs / 2) return;
    cancelNext = clock.after(intervalMs, () => {
      if (!inFlight) {
        inFlight = true;
        deadline.letFinish(pollOnce(polls.length + 1).finally(() => (inFlight = false)));
      }
      schedule();
    });
  };
  schedule();
  return {
    polls,
    stop: () => {
      stopped = true;
      cancelNext();
    },
  };
}

/** What the last answered poll said: done (the webhook is lost or late) or not (the job is stuck or slow). */
export function pollingDetail(polls: readonly PollRecord[]): string {
  const answered = polls.filter((entry) => entry.verdict !== 'error');
  const last = answered.at(-1);
  const sent = count(polls.length, 'poll');
  if (!last) return polls.length === 0 ? 'not polled' : `no poll answered (${sent}): ${polls.at(-1)!.observed}`;
  if (last.verdict === 'ready') {
    const since =
      last.completedAtMs === undefined
        ? `by ${seconds(last.startedAtMs + last.latencyMs, 1)} into the wait`
        : last.completedAtMs >= 0
          ? `since ${seconds(last.completedAtMs, 1)} into the wait`
          : `since ${seconds(-last.completedAtMs, 1)} before the wait`;
    return `polling found it done: ${last.observed} ${since}, so its webhook was lost or is late`;
  }
  if (last.verdict === 'fatal') return `polling failed after ${sent}: ${last.observed}`;
  return `polling found it not done: last ${last.observed} after ${sent}, so the job is stuck or slow, not its webhook`;
}
