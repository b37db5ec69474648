import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { z } from 'zod';
import { checkContract } from '../contracts/check';
import {
  type Classifier,
  type Probe,
  type ReadinessReporter,
  type ReportStep,
  captureCallSite,
  WaitError,
  WaitFailure,
  reportWait,
  seconds,
} from '../readiness/wait';
import type { PushWaitRecordFields } from './record';
import { Redactor } from '../secrets/redactor';

// ---------------------------------------------------------------------------------------------
// Receiving: an HTTP server, one inbox per callback URL

/** A request the receiver got on a callback URL, as it arrived. */
export type ReceivedDelivery = {
  /** The how-manieth delivery to this callback URL, from 1. */
  number: number;
  /** Milliseconds since the epoch, when the body had been read. */
  receivedAt: number;
  /** Lower-case names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The raw body: the signature is over these exact bytes. */
  body: string;
  webhookId: string | undefined;
  /** What the receiver answered: 204, or 500 when the test asked it to refuse the delivery. */
  answeredStatus: number;
};

const ACCEPTED_STATUS = 204;
const REFUSED_STATUS = 500;
const MAX_BODY_BYTES = 1024 * 1024;
// Callback paths end in /hooks/<name>: a proxy in front of the receiver may keep or strip a prefix.
const HOOK_PATH = /\/hooks\/([^/]+)$/;

/** The deliveries to one callback URL; a wait reads them, the test can make it refuse some. */
export class WebhookInbox {
  private readonly received: ReceivedDelivery[] = [];
  private arrivals: Array<() => void> = [];
  private toRefuse = 0;

  constructor(
    /** Where the API under test sends its webhooks. */
    readonly url: string,
    private readonly now: () => number = Date.now,
    private readonly onClose: () => void = () => undefined,
  ) {}

  /** Every delivery so far, in the order of arrival. */
  get deliveries(): readonly ReceivedDelivery[] {
    return this.received;
  }

  /** Answers 500 to the next `count` deliveries, so that the sender has to deliver them again. */
  refuseNext(count: number): void {
    this.toRefuse += count;
  }

  /** Takes one delivery (from the server, or from a test standing in for a sender) and says what to answer. */
  receive(request: { headers: Record<string, string>; body: string }): number {
    const headers = Object.fromEntries(
      Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const refused = this.toRefuse > 0;
    if (refused) this.toRefuse -= 1;
    this.received.push({
      number: this.received.length + 1,
      receivedAt: this.now(),
      headers,
      body: request.body,
      webhookId: headers['webhook-id'],
      answeredStatus: refused ? REFUSED_STATUS : ACCEPTED_STATUS,
    });
    const arrivals = this.arrivals;
    this.arrivals = [];
    for (const arrived of arrivals) arrived();
    return refused ? REFUSED_STATUS : ACCEPTED_STATUS;
  }

  /** Resolves at the next delivery. */
  nextArrival(): Promise<void> {
    return new Promise((resolve) => this.arrivals.push(resolve));
  }

  /** Stops taking deliveries: later ones are answered 410 Gone. */
  close(): void {
    this.onClose();
  }
}

export type ReceiverOptions = {
  /** Where to listen; 127.0.0.1 unless the API reaches this machine from elsewhere (0.0.0.0). */
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  /** The receiver as the API under test reaches it (a tunnel, a container network); `{port}` is
   *  replaced by the port listened on. By default the address listened on. */
  publicUrl?: string | undefined;
  now?: () => number;
};

/**
 * An HTTP server that takes webhooks for the tests of one worker: each test opens an inbox with a
 * callback URL of its own, and a wait reads the deliveries of that inbox. It answers 204 to every
 * delivery it takes (500 when a test asked it to refuse some), 410 on the path of a closed inbox.
 */
export class WebhookReceiver {
  private readonly inboxes = new Map<string, WebhookInbox>();
  // Tells this receiver's callback URLs from those of an earlier one on the same public URL, whose
  // redeliveries may still arrive.
  private readonly tag = randomBytes(3).toString('hex');
  private opened = 0;

  private constructor(
    private readonly server: Server,
    /** What callback URLs start with. */
    readonly baseUrl: string,
    private readonly now: () => number,
  ) {
    server.on('request', (request: IncomingMessage, response: ServerResponse) => this.handle(request, response));
  }

  static async start(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const localHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const base = options.publicUrl?.replaceAll('{port}', String(port)) ?? `http://${localHost}:${port}`;
    return new WebhookReceiver(server, base.endsWith('/') ? base : `${base}/`, options.now ?? Date.now);
  }

  /** A new inbox with a callback URL of its own: `<base>/hooks/<label>-<n>`. */
  openInbox(label: string): WebhookInbox {
    this.opened += 1;
    const name = `${label.replace(/[^\w.-]+/g, '-')}-${this.tag}-${this.opened}`;
    const url = new URL(`hooks/${name}`, this.baseUrl).href;
    const inbox = new WebhookInbox(url, this.now, () => this.inboxes.delete(name));
    this.inboxes.set(name, inbox);
    return inbox;
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Senders keep connections alive: they would hold the server open.
    this.server.closeAllConnections();
    await closed;
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://receiver').pathname;
    const name = HOOK_PATH.exec(path)?.[1];
    const inbox = name === undefined ? undefined : this.inboxes.get(decodeURIComponent(name));
    const answer = (status: number, headers: Record<string, string> = {}) => {
      response.writeHead(status, headers).end();
      request.resume();
    };
    if (!inbox) return answer(name === undefined ? 404 : 410);
    if (request.method !== 'POST') return answer(405, { allow: 'POST' });
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) return answer(413);
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([key, value]) => [key, Array.isArray(value) ? value.join(', ') : value!]),
      );
      answer(inbox.receive({ headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Verifying

export type Verification = { valid: true } | { valid: false; reason: string };

/** Checks a delivery's Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature). */
export function verifyDelivery(
  delivery: { headers: Record<string, string>; body: string },
  secret: string,
): Verification {
  try {
    new Webhook(secret).verify(delivery.body, delivery.headers, { jsonParse: false });
    return { valid: true };
  } catch (error) {
    return { valid: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

// ---------------------------------------------------------------------------------------------
// Waiting

/** Time as a webhook wait sees it: the clock and one-off timers; the unit checks use a fake one. */
export type Timers = {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `callback` in `ms` milliseconds; the returned function cancels it. */
  after(ms: number, callback: () => void): () => void;
};

export const systemTimers: Timers = {
  now: () => Date.now(),
  after: (ms, callback) => {
    const timer = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

export type WebhookWaitOutcome = 'ready' | 'timeout' | 'bad-signature' | 'contract-violation';

export type WebhookWaitOptions<E> = {
  /** What is awaited, as developers call it ("image generation"); the record names it
   *  "image generation (webhook)", apart from the polled waits of the same operation. */
  operation: string;
  /** Which instance of it ("task tsk_42"). */
  subject: string;
  /** The business SLA of the operation: the wait never runs past it. */
  slaMs: number;
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
  /** For tests that provoke a failure on purpose: the outcome they expect (see waitUntilReady). */
  expectedOutcome?: Exclude<WebhookWaitOutcome, 'ready'>;
  reporter?: ReadinessReporter;
  /** Every text the wait writes into its error, its record, its steps and attachments passes it. */
  redactor?: Redactor;
  timers?: Timers;
  /** Where a failure is reported to come from; by default the caller of waitForWebhook. */
  callSite?: Error;
};

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

/** A wait for a webhook, in the shape of a polling wait's record (attempts are the deliveries received). */
export type WebhookWaitRecord = PushWaitRecordFields & {
  outcome: WebhookWaitOutcome;
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

class WebhookFailure extends WaitFailure<Exclude<WebhookWaitOutcome, 'ready'>> {}

const MESSAGE_PREFIX: Record<Exclude<WebhookWaitOutcome, 'ready'>, string> = {
  timeout: 'Readiness timeout',
  'bad-signature': 'Bad webhook signature',
  'contract-violation': 'Contract violation',
};

/**
 * Waits for the first delivery to the inbox that matches, each delivery checked as it arrives: its
 * signature, then its body against the schema. A bad signature and a contract violation fail the
 * wait at once; so does the end of the SLA, naming what did arrive. Nothing polls: the wait wakes on
 * each delivery and on one timer, the SLA.
 */
export async function waitForWebhook<E>(options: WebhookWaitOptions<E>): Promise<WebhookWaitResult<E>> {
  return runWait(options, undefined, options.callSite ?? captureCallSite(waitForWebhook));
}

/**
 * waitForWebhook, with slow polling beside it. The webhook still ends the wait; the polls only say,
 * when it does not come, whether the job was done (its webhook lost or late) or not (the job stuck or slow).
 */
export async function waitForWebhookOrPoll<E, O, R>(options: {
  webhook: WebhookWaitOptions<E>;
  poll: FallbackPoll<O, R>;
}): Promise<WebhookWaitResult<E>> {
  return runWait(options.webhook, options.poll, options.webhook.callSite ?? captureCallSite(waitForWebhookOrPoll));
}

async function runWait<E, O, R>(
  options: WebhookWaitOptions<E>,
  poll: FallbackPoll<O, R> | undefined,
  callSite: Error,
): Promise<WebhookWaitResult<E>> {
  const timers = options.timers ?? systemTimers;
  const reporter = options.reporter ?? silentReporter;
  const redactor = options.redactor ?? new Redactor();
  const clean = (text: string) => redactor.text(text);
  const describe = options.describe ?? defaultDescription;
  const completedAtOf = options.completedAt ?? finishedAtOf;
  const awaited = options.deliveries ?? 1;
  const intervalMs = poll?.intervalMs ?? options.slaMs / 4;
  const provoking = options.expectedOutcome
    ? `, provoking ${MESSAGE_PREFIX[options.expectedOutcome].toLowerCase()}`
    : '';
  const fallback = poll ? `, polling every ${seconds(intervalMs)} as fallback` : '';
  const title = `Wait for webhook of ${options.operation}: ${options.subject} (SLA ${seconds(options.slaMs)}${fallback}${provoking})`;
  // Fails at once, before the first delivery, when the secret cannot be one.
  checkSecret(options.secret);

  return reporter.step(clean(title), async (waitStep) => {
    const start = timers.now();
    const deadline = start + options.slaMs;
    // The one timer of the wait: the SLA. Deliveries wake it up as they arrive.
    let deadlineReached = false;
    let cancelDeadline: () => void = () => undefined;
    const deadlineSignal = new Promise<void>((resolve) => {
      cancelDeadline = timers.after(options.slaMs, () => {
        deadlineReached = true;
        resolve();
      });
    });

    const timeline: DeliveryRecord[] = [];
    const matched: Array<{ event: E; delivery: ReceivedDelivery }> = [];
    const polls: PollRecord[] = [];
    let duplicates = 0;
    let redeliveries = 0;

    const at = (ms: number) => (ms >= 0 ? `${seconds(ms, 1)} into the wait` : `${seconds(-ms, 1)} before the wait`);

    const check = async (delivery: ReceivedDelivery): Promise<void> => {
      const earlier = timeline.filter(
        (entry) => entry.webhookId !== undefined && entry.webhookId === delivery.webhookId,
      );
      const entry: DeliveryRecord = {
        number: delivery.number,
        receivedAtMs: Math.round(delivery.receivedAt - start),
        webhookId: delivery.webhookId,
        webhookTimestamp: delivery.headers['webhook-timestamp'],
        answeredStatus: delivery.answeredStatus,
        repeatOf: earlier[0]?.number,
        observed: 'bad signature',
        verdict: 'bad-signature',
      };
      if (earlier.some((previous) => previous.answeredStatus < 300)) duplicates += 1;
      else if (earlier.length > 0) redeliveries += 1;
      timeline.push(entry);
      await waitStep.attachJson(`webhook delivery ${delivery.number}`, deliveryForReport(delivery, redactor));

      const which = `webhook ${delivery.webhookId ?? 'without a webhook-id'} for ${options.subject} (delivery ${delivery.number}, ${at(entry.receivedAtMs)})`;
      const verification = verifyDelivery(delivery, options.secret);
      if (!verification.valid) {
        throw new WebhookFailure(
          'bad-signature',
          `${which} does not verify with the signing secret: ${verification.reason}`,
        );
      }
      entry.observed = 'breaks the contract';
      entry.verdict = 'contract-violation';
      const body = parsedJson(delivery.body);
      if (!body.json) {
        throw new WebhookFailure(
          'contract-violation',
          `${which} is not JSON.\n\nBody:\n${redactor.body(delivery.body, 2_000)}`,
        );
      }
      const contract = checkContract(options.schema, body.value, redactor);
      if (!contract.success) {
        throw new WebhookFailure('contract-violation', `${which} breaks the contract.\n${contract.explanation}`);
      }
      const event = contract.data;
      entry.observed = clean(describe(event));
      if (delivery.answeredStatus >= 300) entry.verdict = 'refused';
      else if (!options.match(event, delivery)) entry.verdict = 'no-match';
      else if (delivery.receivedAt > deadline) entry.verdict = 'late';
      else {
        entry.verdict = 'match';
        matched.push({ event, delivery });
      }
    };

    function startPolling(fallback: FallbackPoll<O, R>) {
      const completedAtOfValue = fallback.completedAt ?? finishedAtOf;
      let inFlight: Promise<void> | undefined;
      let cancelNext: () => void = () => undefined;
      let stopped = false;
      const pollOnce = async (number: number) => {
        const budget = deadline - timers.now();
        const pollStart = timers.now();
        const entry: PollRecord = {
          number,
          startedAtMs: Math.round(pollStart - start),
          latencyMs: 0,
          httpStatus: undefined,
          observed: 'no answer',
          verdict: 'error',
          completedAtMs: undefined,
        };
        polls.push(entry);
        // Never rejects: what went wrong is the poll's record.
        await reporter
          .step(`Poll ${number}`, async (step) => {
            try {
              const observation = await fallback.probe({ number, timeoutMs: budget });
              entry.latencyMs = Math.round(timers.now() - pollStart);
              const verdict = await fallback.classify(observation);
              entry.httpStatus = verdict.httpStatus;
              entry.observed = clean(verdict.observed);
              entry.verdict = verdict.kind;
              if (verdict.kind === 'ready') {
                const doneAt = Date.parse(completedAtOfValue(verdict.value) ?? '');
                if (Number.isFinite(doneAt)) entry.completedAtMs = Math.round(doneAt - start);
              }
              if (verdict.kind === 'fatal') {
                entry.observed = clean(`${verdict.observed}: ${firstLine(verdict.evidence)}`);
              }
            } catch (error) {
              entry.latencyMs = Math.round(timers.now() - pollStart);
              entry.observed = clean(describeError(error));
            }
            await step.rename(`Poll ${number}: ${entry.observed} → ${POLL_VERDICT_WORD[entry.verdict]}`);
          })
          .catch(() => undefined);
      };
      const schedule = () => {
        // A poll that could not be answered before the SLA would say nothing.
        if (stopped || timers.now() + intervalMs > deadline - intervalMs / 2) return;
        cancelNext = timers.after(intervalMs, () => {
          if (!inFlight) inFlight = pollOnce(polls.length + 1).finally(() => (inFlight = undefined));
          schedule();
        });
      };
      schedule();
      return {
        /** Stops polling and lets a poll in flight finish (it gives up at the SLA): its steps stay in the wait's. */
        stop: async () => {
          stopped = true;
          cancelNext();
          await inFlight;
        },
      };
    }

    const record = (outcome: WebhookWaitOutcome, endedAt: number): WebhookWaitRecord => {
      const first = outcome === 'ready' ? matched[0] : undefined;
      const timeToReadyMs = first && Math.max(0, Math.round(first.delivery.receivedAt - start));
      const doneAt = first ? Date.parse(completedAtOf(first.event) ?? '') : NaN;
      return {
        operation: clean(`${options.operation} (webhook)`),
        subject: clean(options.subject),
        slaMs: options.slaMs,
        startedAt: new Date(start).toISOString(),
        outcome,
        provoked: outcome !== 'ready' && outcome === options.expectedOutcome,
        attempts: timeline.length,
        elapsedMs: Math.round(endedAt - start),
        observedTimeToReadyMs: timeToReadyMs,
        // A webhook is sent when the work is done: no bracket to split, unlike a poll's.
        estimatedTimeToReadyMs: timeToReadyMs,
        timeToReadyMs,
        bracket: { lastNotReadyMs: undefined, firstReadyMs: timeToReadyMs },
        channel: 'webhook',
        callbackUrl: clean(options.inbox.url),
        duplicates,
        redeliveries,
        receivedAfterCompletionMs:
          first && Number.isFinite(doneAt) ? Math.round(first.delivery.receivedAt - doneAt) : undefined,
        timeline,
        polls,
      };
    };

    const fallbackPolls = poll && startPolling(poll);
    let failure: WebhookFailure | undefined;
    try {
      for (;;) {
        // Every delivery so far is checked, duplicates included, before the wait decides.
        while (timeline.length < options.inbox.deliveries.length)
          await check(options.inbox.deliveries[timeline.length]!);
        if (matched.length >= awaited) break;
        if (deadlineReached) throw new WebhookFailure('timeout', '');
        await Promise.race([options.inbox.nextArrival(), deadlineSignal]);
      }
    } catch (error) {
      if (!(error instanceof WebhookFailure)) throw error;
      failure = error;
    } finally {
      cancelDeadline();
      await fallbackPolls?.stop();
    }

    // A ready wait ended when the awaited delivery came, though it was only checked later.
    const endedAt = failure ? timers.now() : Math.max(start, matched.at(-1)!.delivery.receivedAt);
    const finished = record(failure?.outcome ?? 'ready', endedAt);
    await report(waitStep, finished);
    if (!failure) return { ...matched[0]!, record: finished };

    const detail =
      failure.outcome === 'timeout'
        ? timeoutDetail(
            finished,
            awaited,
            poll !== undefined,
            (entry) => `${entry.webhookId ?? 'no webhook-id'} (${entry.observed}, ${at(entry.receivedAtMs)})`,
          )
        : failure.detail;
    throw atCallSite(new WebhookWaitError(clean(`${MESSAGE_PREFIX[failure.outcome]}: ${detail}`), finished), callSite);
  });
}

// "no webhook for task tsk_42 within 12 s; received 2 deliveries that did not match: …"
function timeoutDetail(
  record: WebhookWaitRecord,
  awaited: number,
  polled: boolean,
  name: (entry: DeliveryRecord) => string,
): string {
  const matching = record.timeline.filter((entry) => entry.verdict === 'match');
  const awaitedText =
    matching.length > 0
      ? `only ${count(matching.length, 'matching delivery', 'matching deliveries')} of the ${awaited} awaited for ${record.subject} within ${seconds(record.slaMs)}`
      : `no webhook for ${record.subject} within ${seconds(record.slaMs)}`;
  const parts = [awaitedText, ...(polled ? [pollingDetail(record.polls)] : []), receivedDetail(record.timeline, name)];
  return parts.join('; ');
}

function receivedDetail(timeline: DeliveryRecord[], name: (entry: DeliveryRecord) => string): string {
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

// What the last answered poll said: done (the webhook is lost or late) or not (the job is stuck or slow).
function pollingDetail(polls: PollRecord[]): string {
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

async function report(step: ReportStep, record: WebhookWaitRecord): Promise<void> {
  await reportWait(step, record, {
    attempts: 'deliveries',
    counts: { duplicates: record.duplicates },
    times: { 'received after completion': record.receivedAfterCompletionMs },
  });
}

/** A delivery as a report shows it: headers and body redacted. */
export function deliveryForReport(delivery: ReceivedDelivery, redactor: Redactor) {
  const body = parsedJson(delivery.body);
  return {
    number: delivery.number,
    receivedAt: new Date(delivery.receivedAt).toISOString(),
    answeredStatus: delivery.answeredStatus,
    headers: redactor.headers(delivery.headers),
    body: body.json ? redactor.json(body.value) : redactor.body(delivery.body),
  };
}

function parsedJson(text: string): { json: true; value: unknown } | { json: false } {
  try {
    return { json: true, value: JSON.parse(text) as unknown };
  } catch {
    return { json: false };
  }
}

function checkSecret(secret: string): void {
  try {
    new Webhook(secret);
  } catch (error) {
    // The secret itself stays out of the message.
    throw new Error(
      `The webhook signing secret is not a Standard Webhooks secret (whsec_<base64>): ${describeError(error)}`,
      { cause: error },
    );
  }
}

// The completion time of a webhook event (`data.completedAt`) or of a polled resource (`completedAt`).
function finishedAtOf(value: unknown): string | undefined {
  const fields = (object: unknown) =>
    object !== null && typeof object === 'object' ? (object as Record<string, unknown>) : {};
  for (const holder of [fields(fields(value)['data']), fields(value)]) {
    for (const key of ['completedAt', 'failedAt']) {
      if (typeof holder[key] === 'string') return holder[key];
    }
  }
  return undefined;
}

function defaultDescription(event: unknown): string {
  const type = event !== null && typeof event === 'object' ? (event as Record<string, unknown>)['type'] : undefined;
  return typeof type === 'string' ? type : 'event';
}

const POLL_VERDICT_WORD = { ready: 'done', 'not-ready': 'not done', fatal: 'fatal', error: 'no answer' } as const;

function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}

function describeError(error: unknown): string {
  return firstLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
}

function atCallSite(error: Error, callSite: Error): Error {
  const frames = (callSite.stack ?? '').split('\n').slice(1);
  error.stack = [`${error.name}: ${error.message}`, ...frames].join('\n');
  return error;
}

const silentStep: ReportStep = {
  rename: async () => undefined,
  parameter: async () => undefined,
  attachJson: async () => undefined,
};
const silentReporter: ReadinessReporter = { step: (_title, body) => body(silentStep) };
