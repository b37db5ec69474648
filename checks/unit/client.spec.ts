import type { APIRequestContext, APIResponse } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { type Exchange, createApiClient } from '../../helpers/http/client';
import { StaticToken, TokenSession } from '../../helpers/http/sessions';

/** A request context that answers 401 to every credential but `good`, and counts what it was sent. */
function fakeContext() {
  const sent: Array<Record<string, string>> = [];
  const context = {
    fetch: async (url: string, options: { headers?: Record<string, string> }) => {
      sent.push(options.headers ?? {});
      const ok = Object.values(options.headers ?? {}).some((value) => value.endsWith('good'));
      return {
        status: () => (ok ? 200 : 401),
        url: () => `http://api.test${url}`,
        headers: () => ({ 'content-type': 'application/json' }),
        body: async () => Buffer.from('{}'),
        timing: () => ({ requestStart: 1, responseStart: 2, responseEnd: 3, connectEnd: -1 }),
      } as unknown as APIResponse;
    },
  } as unknown as APIRequestContext;
  return { context, sent };
}

const reported: Exchange[] = [];
const report = async (_start: unknown, send: () => Promise<Exchange>) => {
  const exchange = await send();
  reported.push(exchange);
  return exchange;
};

test('a rejected session token is renewed once and the request sent again', async () => {
  const { context, sent } = fakeContext();
  const tokens = ['stale', 'good'];
  const session = new TokenSession(async () => ({ token: tokens.shift()!, expiresInSeconds: 900 }));
  const response = await createApiClient(context, { auth: session, report }).get('/me');
  expect(response.status()).toBe(200);
  expect(sent.map((headers) => headers['Authorization'])).toEqual(['Bearer stale', 'Bearer good']);
});

test('a static token the API rejects is sent once: the 401 is the answer', async () => {
  const { context, sent } = fakeContext();
  const token = new StaticToken(() => ({ name: 'X-API-Key', value: 'wrong' }));
  const response = await createApiClient(context, { auth: token, report }).get('/me');
  expect(response.status()).toBe(401);
  expect(sent).toEqual([{ 'X-API-Key': 'wrong' }]);
});

test("a request that brings its own credential is sent with it, not with the session's", async () => {
  const { context, sent } = fakeContext();
  const token = new StaticToken(() => ({ name: 'Authorization', value: 'Bearer good' }));
  await createApiClient(context, { auth: token, report }).get('/me', { headers: { authorization: 'Bearer forged' } });
  expect(sent).toEqual([{ authorization: 'Bearer forged' }]);
});

test("each exchange carries Playwright's timing phases beside the wall-clock latency", async () => {
  const { context } = fakeContext();
  reported.length = 0;
  await createApiClient(context, { report }).get('/me');
  expect(reported[0]).toMatchObject({ method: 'GET', path: '/me', timing: { requestStart: 1, responseStart: 2 } });
  expect(reported[0]!.timing).not.toHaveProperty('connectEnd');
});
