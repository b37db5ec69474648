import { expect, test } from '../api/fixtures';

// Role clients, by settings alone: each role of ROLES is a client, logged in once per worker with its
// own strategy (a password login, a token or API key, OAuth 2.0 client credentials). The spec only
// says which role acts.

test('every role calls the API as itself', async ({ apiAs, env, examples }) => {
  const call = examples.EXAMPLE_ROLE_CALL;
  test.skip(!call, 'EXAMPLE_ROLE_CALL names no operation: one that every role of ROLES may call, such as GET /me');
  for (const role of env.roles) {
    const client = await apiAs(role);
    await expect(await client.fetch(call!.path, { method: call!.method, data: call!.body }), role).toHaveStatus(200);
  }
});

test('a client without credentials is refused', async ({ anonymousApi, examples }) => {
  const call = examples.EXAMPLE_ROLE_CALL;
  test.skip(!call, 'EXAMPLE_ROLE_CALL names no operation: one that needs credentials, such as GET /me');
  await expect(await anonymousApi.fetch(call!.path, { method: call!.method, data: call!.body })).toHaveStatus(401);
});
