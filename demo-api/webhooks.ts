import { randomBytes, randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import type { Fault } from './config';
import { finishedState, taskBody, type Task, type TaskBody } from './tasks';

/** One attempt to deliver a webhook, as GET /__demo/webhooks reports it. */
export type DeliveryAttempt = {
  webhookId: string;
  /** 1 for the first sending; the redeliveries (and a duplicate) count on. */
  attempt: number;
  sentAt: string;
  /** The receiver's HTTP status; null while the attempt waits for it, and when the receiver did not answer. */
  status: number | null;
  /** Why the receiver did not answer (no answer in time, a connection that failed); null otherwise. */
  error: string | null;
};

type Message = { id: string; url: string; payload: string; secret: string };

type Plan = { faults: ReadonlySet<Fault>; latencyScale: number };

// A receiver that answers no 2xx within ANSWER_TIMEOUT_MS gets the same message again after each of
// these delays in turn (times the latency scale), then it is given up: at most 6 attempts in all.
const ANSWER_TIMEOUT_MS = 2_000;
const REDELIVERY_DELAYS_MS = [100, 200, 400, 800, 1_600];
// Fault webhook-late: the first delivery leaves this long after the task finished, beyond the 12 s SLA.
const LATE_DELAY_MS = 20_000;

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

/** The event a finished task sends to its callbackUrl; `data` is what GET /api/v1/tasks/{id} says of it. */
function eventOf(task: TaskBody, sentAt: Date) {
  const outcome =
    task.status === 'completed'
      ? { completedAt: task.completedAt, result: task.result }
      : { failedAt: task.failedAt, error: task.error };
  return {
    type: `image.generation.${task.status}`,
    timestamp: sentAt.toISOString(),
    data: { taskId: task.id, status: task.status, ...outcome },
  };
}

function failureOf(error: unknown): string {
  const { name, message, cause } = error as Error & { cause?: { message?: string } };
  if (name === 'TimeoutError') return `no answer within ${ANSWER_TIMEOUT_MS} ms`;
  return cause?.message ?? message;
}

/**
 * Standard Webhooks for the tasks that name a callbackUrl: signed with the owner's signing secret,
 * sent when the task is finished and redelivered until the receiver answers 2xx or it is given up.
 */
export class Webhooks {
  /** By account id. */
  private readonly secrets = new Map<string, string>();
  /** By task id. */
  private readonly attempts = new Map<string, DeliveryAttempt[]>();
  private readonly stop = new AbortController();

  constructor() {
    // Every delivery waiting for its time listens to it: as many as tasks in flight.
    setMaxListeners(0, this.stop.signal);
  }

  /** The signing secret of an account: made at random the first time it is needed, the same afterwards. */
  signingSecret(accountId: string): string {
    let secret = this.secrets.get(accountId);
    if (secret === undefined) {
      secret = newSecret();
      this.secrets.set(accountId, secret);
    }
    return secret;
  }

  /** The delivery attempts of a task's webhook so far. */
  attemptsOf(taskId: string): readonly DeliveryAttempt[] {
    return this.attempts.get(taskId) ?? [];
  }

  /** Sends the task's webhook when it reaches its terminal state (a task that never finishes sends none). */
  schedule(task: Task, plan: Plan): void {
    const url = task.callbackUrl;
    if (url === null || !Number.isFinite(task.endsAt) || plan.faults.has('webhook-lost')) return;
    const attempts: DeliveryAttempt[] = [];
    this.attempts.set(task.id, attempts);
    this.deliver(task, url, attempts, plan).catch(() => undefined); // only an abort at shutdown ends it early
  }

  close(): void {
    this.stop.abort();
  }

  private async deliver(task: Task, url: string, attempts: DeliveryAttempt[], { faults, latencyScale }: Plan) {
    const late = faults.has('webhook-late') ? LATE_DELAY_MS * latencyScale : 0;
    await this.waitUntil(task.endsAt + late);
    const now = new Date();
    const message: Message = {
      id: `msg_${randomUUID()}`,
      url,
      payload: JSON.stringify(eventOf(taskBody(task, finishedState(task)), now)),
      // Fault webhook-bad-signature: a secret the receiver cannot know.
      secret: faults.has('webhook-bad-signature') ? newSecret() : this.signingSecret(task.ownerId),
    };
    for (const redeliveryDelay of [...REDELIVERY_DELAYS_MS, undefined]) {
      if (await this.send(message, attempts)) {
        // Fault webhook-duplicate: a delivered message is sent once more, as an at-least-once sender may.
        if (faults.has('webhook-duplicate')) await this.send(message, attempts);
        return;
      }
      if (redeliveryDelay === undefined) return; // given up
      await this.waitUntil(Date.now() + redeliveryDelay * latencyScale);
    }
  }

  /** One attempt, recorded as it goes; true when the receiver answered 2xx. */
  private async send(message: Message, attempts: DeliveryAttempt[]): Promise<boolean> {
    const sentAt = new Date();
    const attempt: DeliveryAttempt = {
      webhookId: message.id,
      attempt: attempts.length + 1,
      sentAt: sentAt.toISOString(),
      status: null,
      error: null,
    };
    attempts.push(attempt);
    try {
      const response = await fetch(message.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': message.id,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': new Webhook(message.secret).sign(message.id, sentAt, message.payload),
        },
        body: message.payload,
        redirect: 'manual',
        signal: AbortSignal.any([AbortSignal.timeout(ANSWER_TIMEOUT_MS), this.stop.signal]),
      });
      await response.body?.cancel().catch(() => undefined);
      // Set last, in the same turn as the next attempt is recorded: the control never shows a
      // delivery settled while its duplicate is about to go out.
      attempt.status = response.status;
      return response.ok;
    } catch (error) {
      if (this.stop.signal.aborted) throw error;
      attempt.error = failureOf(error);
      return false;
    }
  }

  /** Timers run on a monotonic clock and may fire a millisecond early by the wall clock, so look again. */
  private async waitUntil(wallClockMs: number) {
    this.stop.signal.throwIfAborted();
    while (Date.now() < wallClockMs) {
      await delay(wallClockMs - Date.now(), undefined, { signal: this.stop.signal, ref: false });
    }
  }
}
