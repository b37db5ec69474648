import { JobStreamEvent, expect, test } from '../api/fixtures';

// A job followed over server-sent events instead of polled: the API pushes it, until the event of a
// finished job, within the operation's SLA. A failed job ends the wait at once with its event.

test('a job is followed over server-sent events until it completes', async ({ api, examples, streams }) => {
  const { EXAMPLE_JOB: job, EXAMPLE_JOB_EVENTS: events } = examples;
  test.skip(!job || !events, 'EXAMPLE_JOB and EXAMPLE_JOB_EVENTS name no operation and no stream');
  const accepted = await api.fetch(job!.path, { method: job!.method, data: job!.body });
  await expect(accepted).toHaveStatus(202);
  const location = accepted.headers()['location']!;

  const { message, messages, record } = await streams.waitFor({
    channel: 'sse',
    path: events!.replace('{location}', location),
    operation: job!.name,
    subject: location,
    schema: JobStreamEvent,
    isTerminal: (event) => ['completed', 'failed'].includes(event.data.status),
    isFailure: (event) => event.data.status === 'failed',
    describe: (event) => `${event.event}: status ${event.data.status}`,
  });

  expect(message.data.status).toBe('completed');
  expect(record).toMatchObject({ channel: 'sse', outcome: 'ready', attempts: messages.length });
});
