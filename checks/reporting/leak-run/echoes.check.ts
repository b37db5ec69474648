import { z } from 'zod';
import { expect, parse, test } from '../../../fixtures';

// Each of these fails on purpose, on a response that contains the API key the client sent.

test('a status assertion on an HTML error page that embeds the key', async ({ api }) => {
  await expect(await api.get('/echo-credentials?format=html')).toHaveStatus(200);
});

test('a status assertion on a JSON error that echoes the key', async ({ api }) => {
  await expect(await api.get('/echo-credentials?format=json&status=401')).toHaveStatus(200);
});

test('a schema assertion on a body that echoes the key', async ({ api }) => {
  const echoed = await api.get('/echo-credentials?format=json&status=200');
  await expect(echoed).toMatchSchema(z.object({ ok: z.literal(true) }));
});

test('a contract parse of a body that echoes the key', async ({ api }) => {
  const parsed = await parse(await api.get('/echo-credentials?format=html&status=200'), z.object({ ok: z.boolean() }));
  expect(parsed.ok).toBe(true);
});
