import { TokenSession } from '../../helpers/sessions';
import { expect, test } from '../../fixtures';

function fakeLogin() {
  let issued = 0;
  const login = async () => ({ token: `token-${(issued += 1)}`, expiresInSeconds: 900 });
  return { login, issued: () => issued };
}

test('a session logs in on first use and then reuses its token', async () => {
  const { login, issued } = fakeLogin();
  const session = new TokenSession(login);
  expect(issued()).toBe(0);
  const headers = await Promise.all([session.authorization(), session.authorization(), session.authorization()]);
  expect(headers).toEqual(['Bearer token-1', 'Bearer token-1', 'Bearer token-1']);
  expect(issued()).toBe(1);
});

test('renewing a rejected token logs in once, however many tests ask at once', async () => {
  const { login, issued } = fakeLogin();
  const session = new TokenSession(login);
  const rejected = await session.authorization();
  const renewed = await Promise.all([session.renew(rejected), session.renew(rejected)]);
  expect(renewed).toEqual(['Bearer token-2', 'Bearer token-2']);
  expect(await session.renew(rejected)).toBe('Bearer token-2');
  expect([issued(), session.logins, session.renewals]).toEqual([2, 2, 1]);
});

test('a token about to expire is renewed before it is used', async () => {
  let now = 0;
  const { login, issued } = fakeLogin();
  const session = new TokenSession(login, () => now);
  expect(await session.authorization()).toBe('Bearer token-1');
  now = 900_000 - 29_000; // within 30 s of expiry
  expect(await session.authorization()).toBe('Bearer token-2');
  expect(issued()).toBe(2);
});

test('a failed login is not retried by every test: they all see the same error', async () => {
  let attempts = 0;
  const session = new TokenSession(async () => {
    attempts += 1;
    throw new Error('Login as qa@example.com failed with HTTP 401 INVALID_CREDENTIALS: Wrong e-mail or password.');
  });
  await expect(session.authorization()).rejects.toThrow('HTTP 401 INVALID_CREDENTIALS');
  await expect(session.authorization()).rejects.toThrow('HTTP 401 INVALID_CREDENTIALS');
  expect(attempts).toBe(1);
});
