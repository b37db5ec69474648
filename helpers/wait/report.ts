import { OUTCOME_PREFIX, type FailedOutcome } from './outcomes';
import { seconds } from './format';

/** A report step; the fixtures map it onto Allure and Playwright steps. */
export type ReportStep = {
  rename(title: string): Promise<void>;
  parameter(name: string, value: string): Promise<void>;
  attachJson(name: string, value: unknown): Promise<void>;
};

/** How a wait reports: a step per wait, and steps inside it (attempts, messages, opening, closing). */
export type WaitReporter = {
  step<T>(title: string, body: (step: ReportStep) => Promise<T>): Promise<T>;
};

const silentStep: ReportStep = {
  rename: async () => undefined,
  parameter: async () => undefined,
  attachJson: async () => undefined,
};

/** Reports nothing: the default outside a test. */
export const silentReporter: WaitReporter = { step: (_title, body) => body(silentStep) };

/** The name of the attachment that carries a wait's record; the readiness summary is built from these. */
export const READINESS_ATTACHMENT = 'readiness timeline';

/** "Wait for image generation: task 42 (SLA 60 s, provoking readiness timeout)". */
export function waitTitle(
  what: string,
  subject: string,
  slaMs: number,
  options: { notes?: readonly string[]; expectedOutcome?: FailedOutcome | undefined } = {},
): string {
  const provoking = options.expectedOutcome
    ? [`provoking ${OUTCOME_PREFIX[options.expectedOutcome].toLowerCase()}`]
    : [];
  const notes = [`SLA ${seconds(slaMs)}`, ...(options.notes ?? []), ...provoking];
  return `Wait for ${what}: ${subject} (${notes.join(', ')})`;
}

/** The fields of a record that its report step shows. */
export type ReportedRecord = {
  operation: string;
  outcome: string;
  provoked: boolean;
  attempts: number;
  observedTimeToReadyMs: number | undefined;
};

/**
 * A wait's parameters on its step, and its record attached: what the readiness summary and its check
 * read, for polled and pushed waits alike. `attempts` names what was counted (attempts, messages,
 * deliveries); `times` and `counts` add what a kind of wait measures besides.
 */
export async function reportWait(
  step: ReportStep,
  record: ReportedRecord,
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
