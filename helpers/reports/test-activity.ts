import { exchangesFromAttachments } from '../http/exchange-report';
import { READINESS_ATTACHMENT } from '../wait/report';
import { operationOfCall } from '../api-summary/operations';
import type { SummaryDocument } from '../api-summary/summarize';
import type { TestActivity } from './test-labels';

type Attachment = { name: string; contentType: string; body?: Buffer };
/** A step as Playwright's reporter API gives it. */
export type ActivityStep = {
  category: string;
  startTime: Date;
  error?: unknown;
  attachments: readonly Attachment[];
  steps: readonly ActivityStep[];
};
export type ActivityResult = { status: string; attachments: readonly Attachment[]; steps: readonly ActivityStep[] };

/**
 * What a test did, from its attachments and steps: the operations of its calls (by the OpenAPI
 * document when there is one) with the identity of each, the operations its waits awaited, and, when
 * it failed, the operation where: the call or wait that failed last, or else the last one to start
 * before the failed check.
 */
export function activityOf(result: ActivityResult, document: SummaryDocument | undefined): TestActivity {
  const operationOf = (method: string, path: string) => operationOfCall(document, method, path);
  return {
    calls: exchangesFromAttachments(result.attachments).map((exchange) => ({
      operation: operationOf(exchange.method, exchange.path),
      identity: exchange.identity,
    })),
    waits: waitedOperations(result.attachments),
    failedOperation:
      result.status === 'passed' || result.status === 'skipped'
        ? undefined
        : failedOperation(result.steps, operationOf),
  };
}

type Located = { operation: string | undefined; startTime: number };

function failedOperation(
  steps: readonly ActivityStep[],
  operationOf: (method: string, path: string) => string,
): string | undefined {
  const calls: Located[] = [];
  const failures: Located[] = [];
  // The steps inside a call or a wait are theirs: a poll that found it not ready fails an inner check.
  const visit = (list: readonly ActivityStep[], insideOperation: boolean) => {
    for (const step of list) {
      const located = { operation: operationOfStep(step, operationOf), startTime: step.startTime.getTime() };
      if (!insideOperation && step.error !== undefined) failures.push(located);
      if (located.operation !== undefined) calls.push(located);
      visit(step.steps, insideOperation || located.operation !== undefined);
    }
  };
  visit(steps, false);
  // The last failure is the test's: a wait provoked on purpose earlier in the test failed too.
  const failure = failures.sort((a, b) => a.startTime - b.startTime).at(-1);
  if (failure?.operation !== undefined) return failure.operation;
  const before = failure === undefined ? calls : calls.filter((call) => call.startTime <= failure.startTime);
  return before.at(-1)?.operation;
}

// A wait's step has its record attached through the `Attach "…"` step that testInfo.attach makes
// inside it; a call's step holds its request and response itself.
function operationOfStep(
  step: ActivityStep,
  operationOf: (method: string, path: string) => string,
): string | undefined {
  const own = [
    ...step.attachments,
    ...step.steps.filter((child) => child.category === 'test.attach').flatMap((child) => child.attachments),
  ];
  const wait = waitedOperations(own)[0];
  if (wait !== undefined) return wait;
  const call = exchangesFromAttachments(own)[0];
  return call ? operationOf(call.method, call.path) : undefined;
}

// The operation of each wait record: all a label needs, read so that no record can stop the reporter.
function waitedOperations(attachments: readonly Attachment[]): string[] {
  return attachments.flatMap((attachment) => {
    if (attachment.name !== READINESS_ATTACHMENT || !attachment.body) return [];
    try {
      const { operation } = JSON.parse(attachment.body.toString('utf8')) as { operation?: unknown };
      return typeof operation === 'string' ? [operation] : [];
    } catch {
      return [];
    }
  });
}
