import { retryAfterMs, whenBody } from '../../../helpers/readiness/classifiers';

import { ExportResult, InFlight, Throttled } from '../../../api/contracts';
import { expect, parse, test } from './demo';

// A throttled operation: at most N exports per account run at once and the next one is
// refused at once. No sleep before the N+1th call: a latch. A demo API control holds N exports in
// flight, the in-flight sentinel says when all N are running, and only then the N+1th goes out.

test('the export beyond the in-flight limit is refused at once with 429 and Retry-After', async ({
  anonymousApi,
  createUser,
  clientFor,
  demoControls,
  waitUntilReady,
}) => {
  test.skip(!demoControls, 'holding requests in flight needs a demo API control');
  const member = await clientFor(await createUser()); // its own account: its own throttle
  const { limit } = await parse(await member.get('/api/v1/exports/in-flight'), InFlight);
  const hold = await anonymousApi.post('/__demo/holds');
  await expect(hold).toHaveStatus(201);
  const { holdId } = (await hold.json()) as { holdId: string };

  // Each held request settles to its status and body, or to its error: none can reject unobserved.
  const held = Array.from({ length: limit }, () =>
    member.post('/api/v1/exports', { data: { format: 'csv' }, headers: { 'x-demo-hold': holdId } }).then(
      async (response) => ({ status: response.status(), body: (await response.json()) as unknown }),
      (error: unknown) => ({ status: 'no response', body: String(error) }),
    ),
  );
  try {
    await waitUntilReady({
      operation: 'throttle slots',
      subject: `${limit} held exports`,
      probe: ({ timeoutMs }) => member.get('/api/v1/exports/in-flight', { timeout: timeoutMs }),
      classify: whenBody({
        schema: InFlight,
        isReady: (body) => body.inFlight === limit,
        describe: (body) => `${body.inFlight} of ${body.limit} in flight`,
      }),
    });

    // Awaited while the others are still held: if it queued for a slot instead of failing fast,
    // it could only answer after the release, and the test would time out here.
    const beyondLimit = await member.post('/api/v1/exports', { data: { format: 'csv' } });
    await expect(beyondLimit, `the export beyond the limit of ${limit} must be refused at once`).toHaveStatus(429);
    expect(await parse(beyondLimit, Throttled)).toMatchObject({ code: 'TOO_MANY_IN_FLIGHT', limit });
    expect(retryAfterMs(beyondLimit.headers())).toBeGreaterThan(0);
  } finally {
    // Released even when an assertion failed, so that nothing stays in flight after the test.
    await anonymousApi.post(`/__demo/holds/${holdId}/release`);
  }
  const released = await Promise.all(held);
  expect(released.map((response) => response.status)).toEqual(Array.from({ length: limit }, () => 200));
  for (const { body } of released) await expect(body).toMatchSchema(ExportResult);
  expect(await parse(await member.get('/api/v1/exports/in-flight'), InFlight)).toEqual({ inFlight: 0, limit });
});

test('an export within the limit completes', async ({ createUser, clientFor }) => {
  const member = await clientFor(await createUser());
  const response = await member.post('/api/v1/exports', { data: { format: 'json' } });
  await expect(response).toHaveStatus(200);
  expect(await parse(response, ExportResult)).toMatchObject({ format: 'json' });
});
