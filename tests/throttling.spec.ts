import { HoldOpened, InFlight, expect, parse, retryAfterMs, test, whenBody } from '../api/fixtures';

// A throttling latch instead of a sleep: at most N calls of an account run at once, and the next one
// is refused at once. No sleep before the N+1th call: a latch. A hold keeps N calls in flight, the
// sentinel says when all N are running, and only then the N+1th goes out.

test('the call beyond the in-flight limit is refused at once with 429 and Retry-After', async ({
  anonymousApi,
  clientFor,
  env,
  examples,
  newAccount,
  waitUntilReady,
}) => {
  const { EXAMPLE_THROTTLED: throttled, EXAMPLE_THROTTLE_SENTINEL: sentinel, EXAMPLE_HOLD: hold } = examples;
  test.skip(!throttled || !sentinel || !hold, 'EXAMPLE_THROTTLED, _THROTTLE_SENTINEL and _HOLD name no operation');
  const member = await clientFor(await newAccount()); // its own account: its own throttle
  const inFlight = () => member.fetch(sentinel!.path, { method: sentinel!.method });
  const { limit } = await parse(await inFlight(), InFlight);
  const opened = await anonymousApi.fetch(hold!.open.path, { method: hold!.open.method });
  await expect(opened).toHaveStatus([200, 201]);
  const { holdId } = await parse(opened, HoldOpened);
  const call = (headers: Record<string, string> = {}) =>
    member.fetch(throttled!.path, { method: throttled!.method, data: throttled!.body, headers });

  // Each held call settles to its status, or to its error: none can reject unobserved.
  const held = Array.from({ length: limit }, () =>
    call({ [hold!.header]: holdId }).then(
      (response) => response.status(),
      (error: unknown) => String(error),
    ),
  );
  try {
    await waitUntilReady({
      operation: 'throttle slots',
      subject: `${limit} held calls`,
      slaMs: env.requestTimeoutMs,
      probe: inFlight,
      classify: whenBody({
        schema: InFlight,
        isReady: (body) => body.inFlight === limit,
        describe: (body) => `${body.inFlight} of ${body.limit} in flight`,
      }),
    });

    // Awaited while the others are held: had it queued for a slot instead of failing fast, it could only
    // answer after the release, and the test would time out here.
    const beyondLimit = await call();
    await expect(beyondLimit, `the call beyond the limit of ${limit} must be refused at once`).toHaveStatus(429);
    expect(retryAfterMs(beyondLimit.headers())).toBeGreaterThan(0);
  } finally {
    // Released even when an assertion failed, so that nothing stays in flight after the test.
    await anonymousApi.post(`${hold!.open.path}/${holdId}/release`);
  }
  expect(await Promise.all(held)).toEqual(Array.from({ length: limit }, () => 200));
  expect(await parse(await inFlight(), InFlight)).toEqual({ inFlight: 0, limit });
});
