import { expect } from '@playwright/test';
import type { z } from 'zod';
import { checkContract } from '../contracts/check';
import { Deadline } from './deadline';
import { type WaitError, WaitFailure, atCallSite } from './errors';
import { count, describeError, seconds } from './format';
import type { WaitBasics, WaitContext } from './options';
import { type FailedOutcome, OUTCOME_PREFIX, VERDICT_WORD, type Verdict } from './outcomes';
import type { ObservationMark } from './record';
import type { ReportStep } from './report';

/** One observation, and when it was made: a poll's answer, a delivery's or a message's receipt (ms since the epoch). */
export type Observed<O> = { value: O; at: number };

/** What an observer is given for each observation. */
export type ObserveContext = {
  /** The number of the observation about to be made, from 1. */
  number: number;
  deadline: Deadline;
  context: WaitContext;
  /** The wait's own step. */
  waitStep: ReportStep;
  /** The observation's own step, when the observer makes it inside one ('observe-in-step'). */
  step: ReportStep | undefined;
  /** The observations so far. */
  marks: readonly ObservationMark[];
};

/**
 * How a wait observes: one poll, the next webhook delivery, the next message of a stream or a channel.
 * Everything else (the loop, the deadline, the silence limit, the contract, the record, the report
 * and the error) is the kernel's.
 */
export type Observer<O> = {
  /** What one observation is called in steps and messages: "attempt", "delivery", "message". */
  noun: string;
  /**
   * Where the observation's step is: 'observe-in-step', the observation is made inside it (a poll's
   * request); 'check-in-step', the step holds only its checking (a message that arrived); 'no-step',
   * none (the wait's step has what the observer attaches).
   */
  stepping: 'observe-in-step' | 'check-in-step' | 'no-step';
  /** True when observations are pushed (awaited, not made): `observe` is then raced with the deadline
   *  and the silence limit. A poll's probe keeps to a time budget of its own instead. */
  pushed: boolean;
  /** Once, when the wait begins, inside its step: open a channel, start a fallback poll. */
  start?(context: ObserveContext): Promise<void>;
  /** Before each observation (a poll plans its pause and sleeps here). May throw a WaitFailure. */
  prepare?(context: ObserveContext): Promise<void>;
  /** The next observation. Throws a WaitFailure when it cannot be made (no answer, a dropped connection). */
  observe(context: ObserveContext): Promise<Observed<O>>;
  /** True while observations are already waiting to be checked: the wait checks them all before it ends. */
  hasQueued?(): boolean;
  /** When the observed thing was last heard from, for the silence limit (a channel's last frame,
   *  its pings included); by default the wait's last observation, or its start. */
  lastHeardAt?(): number | undefined;
  /** However the wait ends, before its record is made: close what was opened, stop what was started. */
  close?(): Promise<void>;
};

/** The contract every observation must keep, checked before it is classified. */
export type Contract<O, M> = {
  schema: z.ZodType<M>;
  /** The body to check: parsed JSON, or the raw text when it is not JSON (a contract violation). */
  bodyOf(observation: O): { json: true; value: unknown } | { json: false; raw: string };
};

/** What the kernel hands over at the end, for the record. */
export type EndedWait<A> = {
  outcome: 'ready' | FailedOutcome;
  deadline: Deadline;
  /** The end of the wait: the receipt of a push that made it ready, otherwise the moment it ended. */
  endedAt: number;
  marks: ObservationMark[];
  timeline: A[];
  silence: { limitMs: number; silentForMs: number } | undefined;
};

export type WaitSpec<O, M, R, A, Rec, F extends string = FailedOutcome> = {
  basics: WaitBasics<F>;
  context: WaitContext;
  /** The title of the wait's step, before redaction (see waitTitle). */
  title: string;
  observer: Observer<O>;
  /** The kind of wait's own entry for an observation, added to its timeline (attach what it received here). */
  entry(observed: Observed<O>, number: number, step: ReportStep, deadline: Deadline): A | Promise<A>;
  /** Checks before the contract (a webhook's signature); throws a WaitFailure to end the wait. */
  screen?(observed: Observed<O>, entry: A): void | Promise<void>;
  contract?: Contract<O, M> | undefined;
  /** How an observation is named in messages; by default "on message 3, 1.2 s into the wait". */
  where?(number: number, observed: Observed<O>, entry: A): string;
  /** What the observation means; `message` is the observation itself without a contract. Throwing is a classifier error. */
  classify(message: M, observed: Observed<O>, entry: A): Verdict<R, string> | Promise<Verdict<R, string>>;
  /** After each classification (or classifier error): fills in the entry from the verdict and the mark. */
  noted?(entry: A, mark: ObservationMark, verdict: Verdict<R, string> | undefined): void;
  /** How many ready observations end the wait; 1 by default (2 to see a duplicate webhook). */
  readyCount?: number;
  /** When given, the loop runs as one expect.poll with this message: each not-ready observation shows in
   *  Playwright's own report as a failed check under it. */
  pollQuestion?: string;
  /** The kind of wait's record. */
  finish(ended: EndedWait<A>): Rec;
  /** What follows the outcome's prefix in the error message; by default "<operation> of <subject> <detail>". */
  explain?(failure: WaitFailure<string>, record: Rec): string;
  report(step: ReportStep, record: Rec): Promise<void>;
  error(message: string, record: Rec): WaitError<Rec>;
  /** Before the report of a ready wait (a poll's history learns from it). */
  onReady?(record: Rec): void;
};

export type WaitRun<R, A, Rec> = { values: R[]; record: Rec; timeline: A[] };

// How much of a body that is not JSON a contract violation shows.
const BODY_CHARS = 2_000;
// expect.poll's own timeout sits past the SLA, so that the wait's message is the one shown.
const POLL_TIMEOUT_MARGIN_MS = 5_000;

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The one wait loop: observes until the classifier calls enough observations ready, each checked
 * against the contract and classified ready, not ready or fatal, every one recorded. A fatal one, an
 * observation that cannot be made, the end of the SLA and a silence longer than the limit fail the
 * wait at once, with the evidence, as a WaitError carrying the record.
 */
export async function runWait<O, M, R, A, Rec, F extends string = FailedOutcome>(
  spec: WaitSpec<O, M, R, A, Rec, F>,
): Promise<WaitRun<R, A, Rec>> {
  const { basics, context, observer } = spec;
  const { clock, clean } = context;
  const readyCount = spec.readyCount ?? 1;
  const noun = observer.noun;

  return context.reporter.step(clean(spec.title), async (waitStep) => {
    const deadline = new Deadline(clock, basics.slaMs);
    const marks: ObservationMark[] = [];
    const timeline: A[] = [];
    const values: R[] = [];
    let silence: EndedWait<A>['silence'];
    const contextFor = (step: ReportStep | undefined): ObserveContext => ({
      number: marks.length + 1,
      deadline,
      context,
      waitStep,
      step,
      marks,
    });
    const bodyText = (raw: string) =>
      context.redactor ? context.redactor.body(raw, BODY_CHARS) : raw.slice(0, BODY_CHARS);
    const onNoun = (number: number) => `on ${noun} ${number}, ${seconds(deadline.elapsedMs(), 1)} into the wait`;

    const silentFailure = (silentForMs: number) => {
      const limitMs = basics.silenceMs!;
      silence = { limitMs, silentForMs: Math.round(silentForMs) };
      const last = marks.at(-1);
      const lastSeen = last ? `; last: ${last.observed}` : '';
      return new WaitFailure(
        'silent',
        `went silent: nothing for ${seconds(silentForMs, 1)}, past its silence limit of ${seconds(limitMs, 1)}, after ${count(marks.length, noun)}${lastSeen}`,
      );
    };

    // A push is awaited: the deadline and the silence limit end the wait while nothing comes.
    const awaitPush = async (observeContext: ObserveContext): Promise<Observed<O>> => {
      const observing = observer.observe(observeContext);
      if (!observer.pushed) return observing;
      const limit = basics.silenceMs;
      const heardAt = () => observer.lastHeardAt?.() ?? (marks.at(-1)?.atMs ?? 0) + deadline.startedAt;
      let cancelSilence = () => undefined as void;
      const silent =
        limit === undefined
          ? undefined
          : new Promise<'silent'>((resolve) => {
              const check = () => {
                const left = limit - (clock.now() - heardAt());
                if (left <= 0) resolve('silent');
                else cancelSilence = clock.after(left, check);
              };
              check();
            });
      try {
        const first = await Promise.race([observing, deadline.reached, ...(silent ? [silent] : [])]);
        if (first === 'deadline') throw new WaitFailure('timeout', '');
        if (first === 'silent') throw silentFailure(clock.now() - heardAt());
        return first;
      } finally {
        cancelSilence();
      }
    };

    const check = async (observed: Observed<O>, step: ReportStep | undefined): Promise<'ready' | 'not ready'> => {
      const number = marks.length + 1;
      const mark: ObservationMark = {
        number,
        atMs: Math.round(observed.at - deadline.startedAt),
        observed: 'no answer',
        verdict: 'error',
      };
      marks.push(mark);
      const entry = await spec.entry(observed, number, step ?? waitStep, deadline);
      timeline.push(entry);
      await spec.screen?.(observed, entry);

      const where = () => (spec.where ? spec.where(number, observed, entry) : onNoun(number));
      let message: M;
      if (spec.contract) {
        mark.observed = 'breaks the contract';
        mark.verdict = 'fatal';
        const body = spec.contract.bodyOf(observed.value);
        if (!body.json) {
          await step?.rename(`${capitalized(noun)} ${number}: not JSON`);
          throw new WaitFailure('contract-violation', `${where()}: it is not JSON.\n\nBody:\n${bodyText(body.raw)}`);
        }
        const checked = checkContract(spec.contract.schema, body.value, context.redactor);
        if (!checked.success) {
          await step?.rename(`${capitalized(noun)} ${number}: breaks the contract`);
          throw new WaitFailure(
            'contract-violation',
            `${where()}: it does not match the schema.\n${checked.explanation}`,
          );
        }
        message = checked.data;
      } else {
        message = observed.value as unknown as M;
      }

      let verdict: Verdict<R, string>;
      try {
        verdict = await spec.classify(message, observed, entry);
      } catch (error) {
        mark.observed = 'classifier threw';
        mark.verdict = 'error';
        spec.noted?.(entry, mark, undefined);
        throw new WaitFailure(
          'classifier-error',
          `could not be classified ${where()}: the classifier threw ${clean(describeError(error))}`,
        );
      }
      mark.observed = clean(verdict.observed);
      mark.verdict = verdict.kind;
      spec.noted?.(entry, mark, verdict);
      await step?.rename(`${capitalized(noun)} ${number}: ${mark.observed} → ${VERDICT_WORD[verdict.kind]}`);

      if (verdict.kind === 'fatal') {
        throw new WaitFailure(verdict.category, `failed ${where()}: ${clean(verdict.evidence)}`);
      }
      if (verdict.kind === 'not-ready') {
        if (observer.hasQueued?.()) return 'not ready';
        if (deadline.passed()) throw new WaitFailure('timeout', '');
        return 'not ready';
      }
      // Seen ready, but after the SLA: the client was kept waiting too long all the same.
      if ((observer.pushed ? observed.at : clock.now()) > deadline.at) throw new WaitFailure('timeout', '');
      values.push(verdict.value);
      return values.length >= readyCount && !observer.hasQueued?.() ? 'ready' : 'not ready';
    };

    const observeOnce = async (): Promise<'ready' | 'not ready'> => {
      await observer.prepare?.(contextFor(undefined));
      const title = `${capitalized(noun)} ${marks.length + 1}`;
      if (observer.stepping === 'observe-in-step') {
        return context.reporter.step(title, async (step) => check(await awaitPush(contextFor(step)), step));
      }
      const observed = await awaitPush(contextFor(undefined));
      if (observer.stepping === 'no-step') return check(observed, undefined);
      return context.reporter.step(title, async (step) => check(observed, step));
    };

    // Nothing new is started once the wait ends; what is in flight is let finish.
    const endObserving = async () => {
      deadline.clear();
      await observer.close?.();
      await deadline.settle();
    };

    let failure: WaitFailure<string> | undefined;
    try {
      await observer.start?.(contextFor(undefined));
      if (spec.pollQuestion !== undefined) {
        await expect
          .poll(observeOnce, {
            message: clean(spec.pollQuestion),
            timeout: basics.slaMs + POLL_TIMEOUT_MARGIN_MS,
            intervals: [0],
          })
          .toBe('ready');
      } else {
        while ((await observeOnce()) !== 'ready');
      }
    } catch (error) {
      if (!(error instanceof WaitFailure)) {
        await endObserving();
        throw error;
      }
      failure = error;
    }
    await endObserving();

    const outcome = (failure?.outcome ?? 'ready') as EndedWait<A>['outcome'];
    const lastReady = marks.findLast((mark) => mark.verdict === 'ready');
    // A pushed wait ended when what made it ready arrived, though it was checked later.
    const endedAt =
      !failure && observer.pushed && lastReady
        ? Math.max(deadline.startedAt, deadline.startedAt + lastReady.atMs)
        : clock.now();
    const record = spec.finish({ outcome, deadline, endedAt, marks, timeline, silence });
    if (!failure) {
      spec.onReady?.(record);
      await spec.report(waitStep, record);
      return { values, record, timeline };
    }
    await spec.report(waitStep, record);
    const text = spec.explain
      ? spec.explain(failure, record)
      : `${basics.operation} of ${basics.subject} ${failure.detail}`;
    const prefix = OUTCOME_PREFIX[failure.outcome as FailedOutcome] ?? failure.outcome;
    throw atCallSite(spec.error(clean(`${prefix}: ${text}`), record), context.callSite);
  });
}
