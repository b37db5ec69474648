import { expect, test } from '@playwright/test';
import { StaticToken, TokenSession, authHeader } from '../../helpers/http/sessions';

function fakeLogin({ expiresInSeconds }: { expiresInSeconds: number | undefined } = { expiresInSeconds: 900 }) {
  let issued = 0;
  const login = async () => ({ token: `token-${(issued += 1)}`, expiresInSeconds });
  return { login, issued: () => issued };
}

const value = async (session: { header(): Promise<{ value: string }> }) => (await session.header()).value;

test('a session logs in on first use and then reuses its token', async () => {
  const { login, issued } = fakeLogin();
  const session = new TokenSession(login);
  expect(issued()).toBe(0);
  const headers = await Promise.all([session.header(), session.header(), session.header()]);
  expect(headers).toEqual(Array.from({ length: 3 }, () => ({ name: 'Authorization', value: 'Bearer token-1' })));
  expect(issued()).toBe(1);
});

test('renewing a rejected token logs in once, however many tests ask at once', async () => {
  const { login, issued } = fakeLogin();
  const session = new TokenSession(login);
  const rejected = await session.header();
  const renewed = await Promise.all([session.renew(rejected), session.renew(rejected)]);
  expect(renewed.map((header) => header?.value)).toEqual(['Bearer token-2', 'Bearer token-2']);
  expect((await session.renew(rejected))?.value).toBe('Bearer token-2');
  expect([issued(), session.logins, session.renewals]).toEqual([2, 2, 1]);
});

test('a token about to expire is renewed before it is used', async () => {
  let now = 0;
  const { login, issued } = fakeLogin();
  const session = new TokenSession(login, authHeader('Authorization', 'Bearer'), () => now);
  expect(await value(session)).toBe('Bearer token-1');
  now = 900_000 - 29_000; // within 30 s of expiry
  expect(await value(session)).toBe('Bearer token-2');
  expect(issued()).toBe(2);
});

test('a token without a lifetime is kept until the API rejects it', async () => {
  let now = 0;
  const { login, issued } = fakeLogin({ expiresInSeconds: undefined });
  const session = new TokenSession(login, authHeader('Authorization', 'Bearer'), () => now);
  await session.header();
  now = 10 * 24 * 3600 * 1000;
  expect(await value(session)).toBe('Bearer token-1');
  expect(issued()).toBe(1);
});

test('a failed login is not retried by every test: they all see the same error', async () => {
  let attempts = 0;
  const session = new TokenSession(async () => {
    attempts += 1;
    throw new Error('Login as qa@example.com failed with HTTP 401: INVALID_CREDENTIALS: Wrong e-mail or password.');
  });
  await expect(session.header()).rejects.toThrow('HTTP 401: INVALID_CREDENTIALS');
  await expect(session.header()).rejects.toThrow('HTTP 401: INVALID_CREDENTIALS');
  expect(attempts).toBe(1);
});

test('a header and scheme are configurable; an empty scheme sends the bare value', () => {
  expect(authHeader('X-API-Key', '')('k-123')).toEqual({ name: 'X-API-Key', value: 'k-123' });
  expect(authHeader('Authorization', 'token')('k-123')).toEqual({ name: 'Authorization', value: 'token k-123' });
});

test('a static token cannot be renewed: after a 401 it is not sent again', async () => {
  const token = new StaticToken(() => ({ name: 'X-API-Key', value: 'k-123' }));
  expect(await token.header()).toEqual({ name: 'X-API-Key', value: 'k-123' });
  expect(await token.renew()).toBeUndefined();
});
