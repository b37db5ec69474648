import type { StepResult } from 'allure-js-commons';
import { exchangeHalfOf } from '../helpers/http/exchange-report';

/**
 * In the Allure results only, each API call's request and response (two attachment steps under the
 * call's step, as allure-playwright writes them) become one JSON attachment, `<call> request and
 * response`, in the place of the two. Allure's single-file reports embed every attachment file in each
 * view, and the calls' halves were most of them: at 5,000 tests this halves the report build
 * (bench/README.md). Playwright's own report and the summaries keep the two attachments.
 *
 * `files` holds the contents of the attachments not yet written, by source; the request's is taken
 * out and the response's replaced. A pair whose halves are not both there or not JSON stays as it is.
 */
export function mergeExchangeAttachments(steps: StepResult[], files: Map<string, Buffer>): void {
  for (let index = 0; index < steps.length; index += 1) {
    const merged = index + 1 < steps.length && merge(steps[index]!, steps[index + 1]!, files);
    if (merged) steps.splice(index, 2, merged);
    else mergeExchangeAttachments(steps[index]!.steps, files);
  }
}

function merge(first: StepResult, second: StepResult, files: Map<string, Buffer>): StepResult | undefined {
  const request = attachmentOf(first);
  const response = attachmentOf(second);
  if (!request || !response) return undefined;
  const requestHalf = exchangeHalfOf(request.name);
  const responseHalf = exchangeHalfOf(response.name);
  if (requestHalf?.half !== 'request' || responseHalf?.half !== 'response' || requestHalf.call !== responseHalf.call) {
    return undefined;
  }
  const exchange = { request: jsonOf(files.get(request.source)), response: jsonOf(files.get(response.source)) };
  if (exchange.request === undefined || exchange.response === undefined) return undefined;
  files.delete(request.source);
  files.set(response.source, Buffer.from(JSON.stringify(exchange, null, 2)));
  const name = `${requestHalf.call} request and response`;
  return { ...second, name, start: first.start, attachments: [{ ...response, name, type: 'application/json' }] };
}

// An attachment step: what allure-playwright makes of an attachment placed in a step.
function attachmentOf(step: StepResult) {
  const [attachment, ...more] = step.attachments;
  return attachment && more.length === 0 && step.steps.length === 0 && step.name === attachment.name
    ? attachment
    : undefined;
}

function jsonOf(content: Buffer | undefined): unknown {
  if (content === undefined) return undefined;
  try {
    return JSON.parse(content.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}
