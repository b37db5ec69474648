import { randomUUID } from 'node:crypto';
import type { APIResponse } from '@playwright/test';
import { type DemoInstance, expect, test } from './demo-fixtures';

// Made at run time, so that no secret-shaped text sits in this file.
const clientId = 'reporting-client';
const clientSecret = `secret-${randomUUID()}`;
const settings = { DEMO_OAUTH_CLIENTS: `user=${clientId}:${clientSecret}` };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

const outcomeOf = async (response: APIResponse) => ({
  status: response.status(),
  body: (await response.json()) as unknown,
});
const oauthError = (status: number, error: string) => ({
  status,
  body: { error, error_description: expect.any(String) },
});

async function me(demo: DemoInstance, accessToken: string) {
  const response = await demo.api.get('/api/v1/users/me', { headers: { authorization: `Bearer ${accessToken}` } });
  expect(response.status()).toBe(200);
  return (await response.json()) as { email: string };
}

test('a client authenticated with HTTP Basic gets a bearer token for its role', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  const response = await demo.api.post('/oauth/token', {
    headers: { authorization: basic(clientId, clientSecret) },
    form: { grant_type: 'client_credentials', scope: 'exports:write' },
  });
  expect(response.status()).toBe(200);
  expect(response.headers()['cache-control']).toBe('no-store');
  const token = (await response.json()) as { access_token: string };
  expect(token).toEqual({
    access_token: expect.any(String),
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'exports:write',
  });
  expect(await me(demo, token.access_token)).toMatchObject({ email: 'user@demo.test' });
});

test('a client may send its id and secret as form fields instead', async ({ startDemoApi }) => {
  const demo = await startDemoApi({ ...settings, DEMO_OAUTH_TOKEN_TTL_SECONDS: '120' });
  const response = await demo.api.post('/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  });
  expect(response.status()).toBe(200);
  const token = (await response.json()) as { access_token: string };
  expect(token).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 120 });
  expect(await me(demo, token.access_token)).toMatchObject({ email: 'user@demo.test' });
});

test('a wrong secret gets 401 invalid_client, with a Basic challenge when Basic was used', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  const viaBasic = await demo.api.post('/oauth/token', {
    headers: { authorization: basic(clientId, 'wrong-secret') },
    form: { grant_type: 'client_credentials' },
  });
  expect(await outcomeOf(viaBasic)).toEqual(oauthError(401, 'invalid_client'));
  expect(viaBasic.headers()['www-authenticate']).toMatch(/^Basic\b/);

  const viaForm = await demo.api.post('/oauth/token', {
    form: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong-secret' },
  });
  expect(await outcomeOf(viaForm)).toEqual(oauthError(401, 'invalid_client'));
  expect(viaForm.headers()['www-authenticate']).toBeUndefined();
});

test('a grant other than client_credentials gets 400 unsupported_grant_type', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  const response = await demo.api.post('/oauth/token', {
    headers: { authorization: basic(clientId, clientSecret) },
    form: { grant_type: 'password', username: 'user@demo.test', password: 'user-password-1' },
  });
  expect(await outcomeOf(response)).toEqual(oauthError(400, 'unsupported_grant_type'));
});

test('a request that is not a well-formed token form gets 400 invalid_request', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  const headers = { authorization: basic(clientId, clientSecret) };
  const asJson = await demo.api.post('/oauth/token', { headers, data: { grant_type: 'client_credentials' } });
  expect(await outcomeOf(asJson)).toEqual(oauthError(400, 'invalid_request'));
  const withoutGrant = await demo.api.post('/oauth/token', { headers, form: { scope: 'exports' } });
  expect(await outcomeOf(withoutGrant)).toEqual(oauthError(400, 'invalid_request'));
  const repeated = await demo.api.post('/oauth/token', {
    headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
    data: 'grant_type=client_credentials&grant_type=client_credentials',
  });
  expect(await outcomeOf(repeated)).toEqual(oauthError(400, 'invalid_request'));
  const twoMethods = await demo.api.post('/oauth/token', {
    headers,
    form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
  });
  expect(await outcomeOf(twoMethods)).toEqual(oauthError(400, 'invalid_request'));
});

test('token requests count under POST /oauth/token for the e-mail of the role account', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  await demo.api.post('/oauth/token', {
    headers: { authorization: basic(clientId, clientSecret) },
    form: { grant_type: 'client_credentials' },
  });
  const stats = await demo.api.get('/__demo/stats', { params: { actor: 'user@demo.test' } });
  expect(await stats.json()).toMatchObject({ routes: { 'POST /oauth/token': { count: 1, byStatus: { '200': 1 } } } });
});
