import { User } from '../../../api/contracts';
import { expect, parse, test } from './demo';

// Each way a role can authenticate, chosen by settings alone (demo-api/demo.env sets them for the
// demo): `user` logs in with a password, `integration` sends a static API key as X-API-Key,
// `service` gets an OAuth 2.0 client-credentials token, and the anonymous client sends nothing.
const ROLES_AND_STRATEGIES = [
  ['user', 'password'],
  ['integration', 'token'],
  ['service', 'client-credentials'],
] as const;

for (const [role, strategy] of ROLES_AND_STRATEGIES) {
  test(`the ${role} role authenticates with ${strategy} and is the account it stands for`, async ({ apiAs, env }) => {
    test.skip(!env.roles.includes(role), `ROLES has no ${role} role`);
    const client = await apiAs(role);
    const me = await client.get('/api/v1/users/me');
    await expect(me).toHaveStatus(200);
    expect((await parse(me, User)).role).toBe('user');
  });
}

test('a client with no credentials is refused where they are needed', async ({ anonymousApi }) => {
  await expect(await anonymousApi.get('/api/v1/users/me')).toHaveStatus(401);
});

test('an API key that the API does not know gets 401, and that answer is the result', async ({ clientWith }) => {
  // A static token cannot be renewed: the client does not send it again (checks/unit/client.spec.ts).
  const refused = await clientWith({
    header: async () => ({ name: 'X-API-Key', value: ['unknown', 'key', 'for', 'this', 'test'].join('-') }),
    renew: async () => undefined,
  });
  const response = await refused.get('/api/v1/users/me');
  await expect(response).toHaveStatus(401);
  expect(await response.json()).toMatchObject({ code: 'INVALID_API_KEY' });
});
