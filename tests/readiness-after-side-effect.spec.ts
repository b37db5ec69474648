import { LoginAnswer, expect, notReadyWhileRefused, test } from '../api/fixtures';

// Readiness after a side effect, retried only on its not-ready signal: "the API said success, but the
// backend is not done yet". A call answers at once and its effect comes later. Until then the
// account's login is refused with one named signal (EXAMPLE_NOT_READY), the only answer worth
// retrying: any other refusal, or a 5xx, fails the wait at once.

test('a fresh account can log in once the effect of its call has taken hold', async ({
  anonymousApi,
  clientFor,
  env,
  examples,
  newAccount,
  waitUntilReady,
}) => {
  const { EXAMPLE_SIDE_EFFECT: sideEffect, EXAMPLE_NOT_READY: notReady } = examples;
  test.skip(!sideEffect || !notReady, 'EXAMPLE_SIDE_EFFECT and EXAMPLE_NOT_READY name no call and no signal');
  test.skip(!env.login.path, 'LOGIN_PATH is unset: the signal is read from the login');
  const account = await newAccount();
  const member = await clientFor(account);
  const answer = await member.fetch(sideEffect!.path, { method: sideEffect!.method, data: sideEffect!.body });
  await expect(answer, 'the call answers success at once').toHaveStatus([200, 201, 202, 204]);

  const { record } = await waitUntilReady({
    operation: sideEffect!.name,
    subject: account.username,
    probe: ({ timeoutMs }) =>
      anonymousApi.post(env.login.path!, {
        data: { [env.login.usernameField]: account.username, [env.login.passwordField]: account.password },
        timeout: timeoutMs,
      }),
    classify: notReadyWhileRefused({ ...notReady!, schema: LoginAnswer }),
  });

  // Only the named signal was retried: every attempt but the last saw it.
  const refusals = Array.from({ length: record.attempts - 1 }, () => `HTTP ${notReady!.status} ${notReady!.code}`);
  expect(record.timeline.map((attempt) => attempt.observed)).toEqual([...refusals, 'HTTP 200']);
});
