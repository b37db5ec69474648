import { randomUUID } from 'node:crypto';
import { expect, test } from './demo-fixtures';

// Made at run time, so that no credential-shaped text sits in this file.
const apiKey = `echo-key-${randomUUID()}`;
const token = `echo-token-${randomUUID()}`;

test('echo-credentials answers 502 with an HTML page that embeds the credential', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const response = await demo.api.get('/__demo/echo-credentials', { headers: { authorization: `token ${token}` } });
  expect(response.status()).toBe(502);
  expect(response.headers()['content-type']).toMatch(/^text\/html/);
  const page = await response.text();
  expect(page).toContain(`data-api-token="${token}"`);
  expect(page).toContain(`?token=${token}`);
  expect(page).toContain(`Authorization: token ${token}`);
});

test('echo-credentials embeds an X-API-Key as well', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const response = await demo.api.get('/__demo/echo-credentials', { headers: { 'x-api-key': apiKey } });
  const page = await response.text();
  expect(page).toContain(`data-api-token="${apiKey}"`);
  expect(page).toContain(`?token=${apiKey}`);
  expect(page).toContain(`X-API-Key: ${apiKey}`);
});

test('echo-credentials answers the status asked for, as JSON when asked', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const response = await demo.api.get('/__demo/echo-credentials', {
    params: { status: '500', format: 'json' },
    headers: { authorization: `Bearer ${token}`, 'x-api-key': apiKey },
  });
  expect(response.status()).toBe(500);
  expect(await response.json()).toEqual({
    error: 'internal_server_error',
    error_description: expect.any(String),
    request: { authorization: `Bearer ${token}`, apiKey },
  });
});

test('echo-credentials says null for what the request did not send', async ({ startDemoApi }) => {
  const demo = await startDemoApi();
  const response = await demo.api.get('/__demo/echo-credentials', { params: { format: 'json' } });
  expect(response.status()).toBe(502);
  expect(await response.json()).toMatchObject({ error: 'bad_gateway', request: { authorization: null, apiKey: null } });
});
