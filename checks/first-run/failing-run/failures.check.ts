import { z } from 'zod';
import { type ApiClient, expect, parse, test } from '../../../fixtures';

// Each fails on purpose; the check reads where each failure points: at the line marked `here`.
const Versioned = z.object({ version: z.string() });

test('a response read with parse breaks its contract', async ({ anonymousApi }) => {
  const response = await anonymousApi.get('/health');
  expect(await parse(response, Versioned)).toEqual({ version: '1' }); // here
});

test('a response read with parse in a function of the spec breaks its contract', async ({ anonymousApi }) => {
  expect(await versionOf(anonymousApi)).toBe('1');
});

test('a response has another status', async ({ anonymousApi }) => {
  await expect(await anonymousApi.get('/health')).toHaveStatus(201); // here
});

test('a body breaks its schema', async ({ anonymousApi }) => {
  await expect(await anonymousApi.get('/health')).toMatchSchema(Versioned); // here
});

async function versionOf(api: ApiClient) {
  return (await parse(await api.get('/health'), Versioned)).version; // here
}
