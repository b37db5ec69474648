import { READINESS_ATTACHMENT } from '../wait/report';

type Attachment = { name: string; contentType: string; body?: Buffer };
/** A step as Playwright's reporter API gives it: what was attached in it, and the steps inside it. */
export type ReportedStep = { attachments: readonly Attachment[]; steps: readonly ReportedStep[] };

/**
 * The attachments made inside the waits whose failure a test provoked on purpose (waitUntilReady's
 * `expectedOutcome`): the calls among them are provoked too, a 500 the test asked for is no failure.
 * A wait is known by its record, attached in its own step.
 */
export function attachmentsOfProvokedWaits(steps: readonly ReportedStep[]): Set<Attachment> {
  const provoked = new Set<Attachment>();
  const visit = (list: readonly ReportedStep[]) => {
    for (const step of list) {
      if (isProvokedWait(step)) for (const attachment of attachmentsUnder(step)) provoked.add(attachment);
      else visit(step.steps);
    }
  };
  visit(steps);
  return provoked;
}

// Playwright files an attachment under the `Attach "…"` step that testInfo.attach makes inside the step.
function isProvokedWait(step: ReportedStep): boolean {
  const own = [
    ...step.attachments,
    ...step.steps.flatMap((child) => (child.steps.length === 0 ? child.attachments : [])),
  ];
  return own.some((attachment) => attachment.name === READINESS_ATTACHMENT && recordOf(attachment)?.provoked === true);
}

function attachmentsUnder(step: ReportedStep): Attachment[] {
  return [...step.attachments, ...step.steps.flatMap(attachmentsUnder)];
}

function recordOf(attachment: Attachment): { provoked?: unknown } | undefined {
  try {
    return attachment.body ? (JSON.parse(attachment.body.toString('utf8')) as { provoked?: unknown }) : undefined;
  } catch {
    return undefined;
  }
}
