import { JobEvent, JobStatus, SigningSecret, expect, parse, test } from '../api/fixtures';

// A job's signed webhook instead of polling: give the job a callback URL (this test's own) and wait
// for the signed event about it, within the operation's SLA. Signatures are checked against the secret
// (Standard Webhooks).

test('a finished job calls back with a signed event about it', async ({ api, examples, webhooks }) => {
  const { EXAMPLE_JOB: job, EXAMPLE_CALLBACK_FIELD: field, EXAMPLE_WEBHOOK_SECRET_OPERATION: secretCall } = examples;
  test.skip(!job || !field || !secretCall, 'EXAMPLE_JOB, _CALLBACK_FIELD and _WEBHOOK_SECRET name no operation');
  const { secret } = await parse(await api.fetch(secretCall!.path, { method: secretCall!.method }), SigningSecret);
  const accepted = await api.fetch(job!.path, {
    method: job!.method,
    data: { ...job!.body, [field!]: webhooks.callbackUrl },
  });
  await expect(accepted).toHaveStatus(202);
  const location = accepted.headers()['location']!;
  const jobId = location.split('/').at(-1);

  const { event, record } = await webhooks.waitFor({
    operation: job!.name,
    subject: location,
    secret,
    schema: JobEvent,
    match: (event) => Object.values(event.data).includes(jobId),
  });

  expect(record).toMatchObject({ channel: 'webhook', outcome: 'ready', duplicates: 0 });
  // The event tells what a poll of the job tells.
  expect(event.data['status']).toBe((await parse(await api.get(location), JobStatus)).status);
});
