import type { z } from 'zod';
import { parsedJson } from '../../contracts/body';
import { Redactor } from '../../secrets/redactor';
import { WaitError, WaitFailure } from '../../wait/errors';
import { count, intoTheWait, seconds } from '../../wait/format';
import { type Observer, runWait } from '../../wait/kernel';
import { type WaitBasics, type WaitServices, waitContext } from '../../wait/options';
import { type WaitRecordFields, recordFields } from '../../wait/record';
import { type ReportStep, reportWait, waitTitle } from '../../wait/report';
import { finishedAtOf } from '../completed-at';
import { type FallbackPoll, type PollRecord, pollingDetail, startFallbackPoll } from './fallback-poll';
import { type ReceivedDelivery, type WebhookInbox, deliveryForReport } from './receiver';
import { checkSigningSecret, verifyDelivery } from './signatures';

export type WebhookWaitOutcome = 'ready' | 'timeout' | 'bad-signature' | 'contract-violation';

export type WebhookWaitOptions<E> = Omit<WaitBasics<Exclude<WebhookWaitOutcome, 'ready'>>, 'silenceMs'> &
  WaitServices & {
    /** Where the deliveries arrive. */
    inbox: WebhookInbox;
    /** The Standard Webhooks signing secret (`whsec_…`) the sender signs with. */
    secret: string;
    /** Every delivery to the callback must match it. */
    schema: z.ZodType<E>;
    /** True for the event awaited: `(event) => event.data.taskId === taskId`. */
    match: (event: E, delivery: ReceivedDelivery) => boolean;
    /** How many accepted deliveries of it to wait for: 2 to see a duplicate. 1 by default. */
    deliveries?: number;
    /** A short description for reports: "image.generation.completed of task tsk_42". By default its `type`. */
    describe?: (event: E) => string;
    /** When the work was done, by the server's clock; by default `data.completedAt` or `data.failedAt`. */
    completedAt?: (event: E) => string | null | undefined;
  };

export type DeliveryVerdict = 'match' | 'no-match' | 'refused' | 'late' | 'bad-signature' | 'contract-violation';

export type DeliveryRecord = {
  number: number;
  /** Milliseconds from the start of the wait to the receipt; negative when it arrived before the wait began. */
  receivedAtMs: number;
  webhookId: string | undefined;
  webhookTimestamp: string | undefined;
  answeredStatus: number;
  /** The first earlier delivery with the same webhook-id. */
  repeatOf: number | undefined;
  observed: string;
  verdict: DeliveryVerdict;
};

/** A wait for a webhook, in the shape of a polling wait's record (attempts are the deliveries received). */
export type WebhookWaitRecord = WaitRecordFields<WebhookWaitOutcome> & {
  channel: 'webhook';
  callbackUrl: string;
  /** Deliveries of a webhook-id the receiver had already accepted: what a consumer must deduplicate. */
  duplicates: number;
  /** Deliveries of a webhook-id the receiver had only refused so far: the sender's retries. */
  redeliveries: number;
  /** Receipt of the awaited event minus the completion time it reports: how late the push came.
   *  Server and client clocks both count: on different machines, their skew is in it. */
  receivedAfterCompletionMs: number | undefined;
  timeline: DeliveryRecord[];
  /** The fallback's polls; none for a plain webhook wait. */
  polls: PollRecord[];
};

export type WebhookWaitResult<E> = {
  /** The first awaited event, and the delivery that brought it. */
  event: E;
  delivery: ReceivedDelivery;
  record: WebhookWaitRecord;
};

export class WebhookWaitError extends WaitError<WebhookWaitRecord> {
  override name = 'WebhookWaitError';
}

/**
 * Waits for the first delivery to the inbox that matches, each delivery checked as it arrives: its
 * signature, then its body against the schema. A bad signature and a contract violation fail the
 * wait at once; so does the end of the SLA, naming what did arrive. Nothing polls: the wait wakes on
 * each delivery and on one timer, the SLA.
 */
export async function waitForWebhook<E>(options: WebhookWaitOptions<E>): Promise<WebhookWaitResult<E>> {
  return runWebhookWait(options, undefined, waitForWebhook);
}

/**
 * waitForWebhook, with slow polling beside it. The webhook still ends the wait; the polls only say,
 * when it does not come, whether the job was done (its webhook lost or late) or not (the job stuck or slow).
 */
export async function waitForWebhookOrPoll<E, O, R>(options: {
  webhook: WebhookWaitOptions<E>;
  poll: FallbackPoll<O, R>;
}): Promise<WebhookWaitResult<E>> {
  return runWebhookWait(options.webhook, options.poll, waitForWebhookOrPoll);
}

type Matched<E> = { event: E; delivery: ReceivedDelivery };

async function runWebhookWait<E, O, R>(
  options: WebhookWaitOptions<E>,
  poll: FallbackPoll<O, R> | undefined,
  caller: (...args: never[]) => unknown,
): Promise<WebhookWaitResult<E>> {
  const context = waitContext(options, caller);
  const redactor = context.redactor ?? new Redactor();
  const { clean } = context;
  const describe = options.describe ?? defaultDescription;
  const completedAtOf = options.completedAt ?? finishedAtOf;
  const intervalMs = poll?.intervalMs ?? options.slaMs / 4;
  const fallback = poll ? [`polling every ${seconds(intervalMs)} as fallback`] : [];
  // Fails at once, before the first delivery, when the secret cannot be one.
  checkSigningSecret(options.secret);

  const { inbox } = options;
  let checked = 0;
  let duplicates = 0;
  let redeliveries = 0;
  let polling: ReturnType<typeof startFallbackPoll> | undefined;
  const matched: Matched<E>[] = [];

  const observer: Observer<ReceivedDelivery> = {
    noun: 'delivery',
    stepping: 'no-step',
    pushed: true,
    start: async ({ deadline }) => {
      if (poll) polling = startFallbackPoll(poll, { deadline, context, intervalMs });
    },
    // Every delivery so far is checked, duplicates included, before the wait decides.
    observe: async () => {
      while (checked >= inbox.deliveries.length) await inbox.nextArrival();
      const delivery = inbox.deliveries[checked++]!;
      return { value: delivery, at: delivery.receivedAt };
    },
    hasQueued: () => checked < inbox.deliveries.length,
    close: async () => polling?.stop(),
  };

  const which = (entry: DeliveryRecord) =>
    `webhook ${entry.webhookId ?? 'without a webhook-id'} for ${options.subject} (delivery ${entry.number}, ${intoTheWait(entry.receivedAtMs)})`;

  const { record } = await runWait({
    basics: options,
    context,
    title: waitTitle(`webhook of ${options.operation}`, options.subject, options.slaMs, {
      notes: fallback,
      expectedOutcome: options.expectedOutcome,
    }),
    observer,
    readyCount: options.deliveries ?? 1,
    entry: async ({ value: delivery }, _number, waitStep, deadline): Promise<DeliveryRecord> => {
      const earlier = inbox.deliveries
        .slice(0, checked - 1)
        .filter((other) => other.webhookId !== undefined && other.webhookId === delivery.webhookId);
      const entry: DeliveryRecord = {
        number: delivery.number,
        receivedAtMs: Math.round(delivery.receivedAt - deadline.startedAt),
        webhookId: delivery.webhookId,
        webhookTimestamp: delivery.headers['webhook-timestamp'],
        answeredStatus: delivery.answeredStatus,
        repeatOf: earlier[0]?.number,
        observed: 'bad signature',
        verdict: 'bad-signature',
      };
      if (earlier.some((previous) => previous.answeredStatus < 300)) duplicates += 1;
      else if (earlier.length > 0) redeliveries += 1;
      await waitStep.attachJson(`webhook delivery ${delivery.number}`, deliveryForReport(delivery, redactor));
      return entry;
    },
    screen: ({ value: delivery }, entry) => {
      const verification = verifyDelivery(delivery, options.secret);
      if (!verification.valid) {
        throw new WaitFailure(
          'bad-signature',
          `${which(entry)} does not verify with the signing secret: ${verification.reason}`,
        );
      }
      entry.observed = 'breaks the contract';
      entry.verdict = 'contract-violation';
    },
    contract: {
      schema: options.schema,
      bodyOf: (delivery) => {
        const body = parsedJson(delivery.body);
        return body.json ? body : { json: false, raw: delivery.body };
      },
    },
    where: (_number, _observed, entry) => which(entry),
    classify: (event, { value: delivery }, entry) => {
      const observed = describe(event);
      entry.observed = clean(observed);
      if (delivery.answeredStatus >= 300) entry.verdict = 'refused';
      else if (!options.match(event, delivery)) entry.verdict = 'no-match';
      else if (entry.receivedAtMs > options.slaMs) entry.verdict = 'late';
      else {
        entry.verdict = 'match';
        matched.push({ event, delivery });
        return { kind: 'ready', value: { event, delivery }, observed };
      }
      return { kind: 'not-ready', observed };
    },
    finish: ({ outcome, deadline, endedAt, timeline: deliveries }): WebhookWaitRecord => {
      const first = outcome === 'ready' ? matched[0] : undefined;
      const timeToReadyMs = first && Math.max(0, Math.round(first.delivery.receivedAt - deadline.startedAt));
      const doneAt = first ? Date.parse(completedAtOf(first.event) ?? '') : NaN;
      return {
        ...recordFields({
          operation: clean(`${options.operation} (webhook)`),
          subject: clean(options.subject),
          slaMs: options.slaMs,
          startedAt: deadline.startedAt,
          endedAt,
          outcome: outcome as WebhookWaitOutcome,
          expectedOutcome: options.expectedOutcome,
          attempts: deliveries.length,
          // A webhook is sent when the work is done: no bracket to split, unlike a poll's.
          bracket: { lastNotReadyMs: undefined, firstReadyMs: timeToReadyMs },
          estimate: 'first-ready',
        }),
        channel: 'webhook',
        callbackUrl: clean(inbox.url),
        duplicates,
        redeliveries,
        receivedAfterCompletionMs:
          first && Number.isFinite(doneAt) ? Math.round(first.delivery.receivedAt - doneAt) : undefined,
        timeline: deliveries,
        polls: polling?.polls ?? [],
      };
    },
    explain: (failure, finished) =>
      failure.outcome === 'timeout'
        ? timeoutDetail(finished, options.deliveries ?? 1, poll !== undefined)
        : failure.detail,
    report,
    error: (message, finished) => new WebhookWaitError(message, finished),
  });
  return { ...matched[0]!, record };
}

// "no webhook for task tsk_42 within 12 s; received 2 deliveries that did not match: …"
function timeoutDetail(record: WebhookWaitRecord, awaited: number, polled: boolean): string {
  const matching = record.timeline.filter((entry) => entry.verdict === 'match');
  const awaitedText =
    matching.length > 0
      ? `only ${count(matching.length, 'matching delivery', 'matching deliveries')} of the ${awaited} awaited for ${record.subject} within ${seconds(record.slaMs)}`
      : `no webhook for ${record.subject} within ${seconds(record.slaMs)}`;
  const parts = [awaitedText, ...(polled ? [pollingDetail(record.polls)] : []), receivedDetail(record.timeline)];
  return parts.join('; ');
}

function receivedDetail(timeline: DeliveryRecord[]): string {
  const name = (entry: DeliveryRecord) =>
    `${entry.webhookId ?? 'no webhook-id'} (${entry.observed}, ${intoTheWait(entry.receivedAtMs)})`;
  const received = `received ${count(timeline.length, 'delivery', 'deliveries')}`;
  const of = (verdict: DeliveryVerdict) => timeline.filter((entry) => entry.verdict === verdict);
  const notMatching = of('no-match');
  if (notMatching.length > 0 && notMatching.length === timeline.length) {
    return `${received} that did not match: ${notMatching.map(name).join(', ')}`;
  }
  const groups = [
    notMatching.length > 0 ? `${notMatching.length} that did not match: ${notMatching.map(name).join(', ')}` : '',
    of('refused').length > 0 ? `${of('refused').length} refused with HTTP 500 at the test's request` : '',
    of('late').length > 0 ? `${count(of('late').length, 'match', 'matches')} received after the SLA` : '',
  ].filter(Boolean);
  return groups.length > 0 ? `${received}: ${groups.join('; ')}` : received;
}

async function report(step: ReportStep, record: WebhookWaitRecord): Promise<void> {
  await reportWait(step, record, {
    attempts: 'deliveries',
    counts: { duplicates: record.duplicates },
    times: { 'received after completion': record.receivedAfterCompletionMs },
  });
}

function defaultDescription(event: unknown): string {
  const type = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['type'] : undefined;
  return typeof type === 'string' ? type : 'event';
}
