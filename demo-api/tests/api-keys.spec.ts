import { randomUUID } from 'node:crypto';
import { parseDemoConfig } from '../config';
import { expect, test } from './demo-fixtures';

// Made at run time, so that no key-shaped text sits in this file.
const userKey = `user-key-${randomUUID()}`;
const adminKey = `admin-key-${randomUUID()}`;
const settings = { DEMO_API_KEYS: `user=${userKey},admin=${adminKey}` };

const HEADER_FORMS = [
  ['X-API-Key', (key: string) => ({ 'x-api-key': key })],
  ['Authorization: Bearer', (key: string) => ({ authorization: `Bearer ${key}` })],
  ['Authorization: token', (key: string) => ({ authorization: `token ${key}` })],
] as const;

for (const [form, headersFor] of HEADER_FORMS) {
  test(`an API key sent as ${form} acts as the account of its role`, async ({ startDemoApi }) => {
    const demo = await startDemoApi(settings);
    const me = await demo.api.get('/api/v1/users/me', { headers: headersFor(userKey) });
    expect(me.status()).toBe(200);
    expect(await me.json()).toMatchObject({ email: 'user@demo.test', role: 'user' });
    expect((await demo.api.get('/api/v1/admin/users', { headers: headersFor(userKey) })).status()).toBe(403);
    expect((await demo.api.get('/api/v1/admin/users', { headers: headersFor(adminKey) })).status()).toBe(200);
  });
}

test('an unknown API key gets 401 INVALID_API_KEY', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  const unknownKeys: Array<Record<string, string>> = [
    { 'x-api-key': 'not-a-key' },
    { authorization: 'token not-a-key' },
  ];
  for (const headers of unknownKeys) {
    const response = await demo.api.get('/api/v1/users/me', { headers });
    expect(response.status()).toBe(401);
    expect(await response.json()).toEqual({ code: 'INVALID_API_KEY', message: expect.any(String) });
  }
  // As a bearer token, an unknown value is read as a token that is not valid, as without keys.
  const bearer = await demo.api.get('/api/v1/users/me', { headers: { authorization: 'Bearer not-a-key' } });
  expect(await bearer.json()).toMatchObject({ code: 'INVALID_TOKEN' });
});

test('login tokens keep working beside API keys', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  const { authorization, email } = await demo.signUp();
  const me = await demo.api.get('/api/v1/users/me', { headers: { authorization } });
  expect(await me.json()).toMatchObject({ email });
});

test('the requests made with an API key count for the e-mail of its account', async ({ startDemoApi }) => {
  const demo = await startDemoApi(settings);
  await demo.api.get('/api/v1/users/me', { headers: { 'x-api-key': adminKey } });
  const stats = await demo.api.get('/__demo/stats', { params: { actor: 'admin@demo.test' } });
  expect(await stats.json()).toMatchObject({ routes: { 'GET /api/v1/users/me': { byStatus: { '200': 1 } } } });
});

test('a malformed DEMO_API_KEYS is refused without repeating its value', () => {
  const parse = () => parseDemoConfig({ DEMO_API_KEYS: `owner=${userKey}` });
  expect(parse).toThrow(
    'Invalid demo API setting DEMO_API_KEYS: expected a comma list of role=key, with a role of user, admin.',
  );
});
