import { expect, test } from '@playwright/test';
import { errorCodeOf, summarizeErrorBody } from '../../helpers/contracts/error-body';

test('the common error shapes are summarised for failure messages', () => {
  const cases = [
    [{ code: 'TASK_NOT_FOUND', message: 'No task t1.' }, 'TASK_NOT_FOUND: No task t1.'],
    [{ message: 'Not Found', reason: 'no such order' }, 'no such order: Not Found'],
    [{ error: 'invalid_client', error_description: 'Unknown client' }, 'invalid_client: Unknown client'],
    [
      { type: 'https://example.com/probs/out-of-credit', title: 'Out of credit', status: 403, detail: 'Balance 30' },
      'Out of credit: Balance 30',
    ],
    [{ error: { code: 404, message: 'Requested entity was not found.' } }, '404: Requested entity was not found.'],
    [{ message: 'Bad credentials' }, 'Bad credentials'],
    ['<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>', 'HTML page "502 Bad Gateway"'],
    ['Service Unavailable', 'Service Unavailable'],
  ] as const;
  for (const [body, summary] of cases) expect(summarizeErrorBody(body), JSON.stringify(body)).toBe(summary);
  for (const body of [{ items: [] }, '', '<html></html>', null, 42]) expect(summarizeErrorBody(body)).toBeUndefined();
});

test('the machine-readable code of an error body, under its usual names', () => {
  expect(errorCodeOf({ code: 'ASSETS_NOT_READY', message: 'wait' })).toBe('ASSETS_NOT_READY');
  expect(errorCodeOf({ error: 'authorization_pending' })).toBe('authorization_pending');
  expect(errorCodeOf({ error: { code: 'RATE_LIMITED' } })).toBe('RATE_LIMITED');
  expect(errorCodeOf('<html>')).toBeUndefined();
});
