import { JobStatus, byStatusField, expect, retryAfterMs, test } from '../api/fixtures';

// A job accepted with 202, polled at its Location until completed: the operation answers at once and
// finishes later; follow the job until its status says it is done, from the server's Retry-After on,
// within the operation's SLA (SLA_<OPERATION>_MS). A failed job fails the wait at once with the
// server's error.

test('a job accepted with 202 is polled at its Location until it completes', async ({
  api,
  examples,
  waitUntilReady,
}) => {
  const job = examples.EXAMPLE_JOB;
  test.skip(!job, 'EXAMPLE_JOB names no operation: one that answers 202 with the Location of a job');
  const accepted = await api.fetch(job!.path, { method: job!.method, data: job!.body });
  await expect(accepted).toHaveStatus(202);
  const location = accepted.headers()['location'];
  expect(location, 'a 202 says where to follow the job').toBeDefined();

  const { value, record } = await waitUntilReady({
    operation: job!.name,
    subject: location!,
    initialRetryAfterMs: retryAfterMs(accepted.headers()),
    probe: ({ timeoutMs }) => api.get(location!, { timeout: timeoutMs }),
    classify: byStatusField({ schema: JobStatus }),
  });

  expect(value.status).toBe('completed');
  expect(record.timeline.at(-1)).toMatchObject({ verdict: 'ready', httpStatus: 200 });
});
