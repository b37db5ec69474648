import { logIn } from '../../../helpers/http/auth';

import { LoginResponse, Problem, TaskAccepted, User } from '../../../api/contracts';
import { type IssuedToken, TokenSession } from '../../../helpers/http/sessions';
import { expect, parse, test } from './demo';

test('each role fixture is logged in as its role', async ({ api, adminApi }) => {
  for (const [client, role] of [
    [api, 'user'],
    [adminApi, 'admin'],
  ] as const) {
    const me = await client.get('/api/v1/users/me');
    await expect(me).toHaveStatus(200);
    expect((await parse(me, User)).role).toBe(role);
  }
});

test('only the admin role may list users', async ({ api, adminApi }) => {
  await expect(await adminApi.get('/api/v1/admin/users')).toHaveStatus(200);
  const refused = await api.get('/api/v1/admin/users');
  await expect(refused).toHaveStatus(403);
  expect(await parse(refused, Problem)).toMatchObject({ code: 'FORBIDDEN' });
});

test('a login answers a signed token that matches the contract', async ({ anonymousApi, createUser }) => {
  const user = await createUser();
  const response = await anonymousApi.post('/api/v1/auth/login', {
    data: { email: user.username, password: user.password },
  });
  await expect(response).toHaveStatus(200);
  await expect(response).toMatchSchema(LoginResponse);
});

test('a wrong password gets 401', async ({ anonymousApi, createUser }) => {
  const user = await createUser();
  const response = await anonymousApi.post('/api/v1/auth/login', {
    data: { email: user.username, password: `${user.password}-wrong` },
  });
  await expect(response).toHaveStatus(401);
  expect(await parse(response, Problem)).toMatchObject({ code: 'INVALID_CREDENTIALS' });
});

test('a request without a token gets 401', async ({ anonymousApi }) => {
  const response = await anonymousApi.get('/api/v1/users/me');
  await expect(response).toHaveStatus(401);
  expect(await parse(response, Problem)).toMatchObject({ code: 'MISSING_TOKEN' });
});

test('a garbage token gets 401', async ({ anonymousApi }) => {
  // A JWT with a forged signature, assembled so that no token-shaped text sits in this file.
  const forged = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ4In0', 'forged-signature'].join('.');
  for (const garbage of ['not-a-token', forged]) {
    const response = await anonymousApi.get('/api/v1/users/me', { headers: { authorization: `Bearer ${garbage}` } });
    await expect(response).toHaveStatus(401);
    expect(await parse(response, Problem)).toMatchObject({ code: 'INVALID_TOKEN' });
  }
});

test('an expired token gets 401', async ({ anonymousApi, createUser, demoControls }) => {
  test.skip(!demoControls, 'expired tokens come from a demo API control');
  const user = await createUser();
  const expired = await anonymousApi.post('/__demo/tokens', { data: { email: user.username, expiresInSeconds: -60 } });
  await expect(expired).toHaveStatus(201);
  const { token } = (await expired.json()) as { token: string };
  const response = await anonymousApi.get('/api/v1/users/me', { headers: { authorization: `Bearer ${token}` } });
  await expect(response).toHaveStatus(401);
  expect(await parse(response, Problem)).toMatchObject({ code: 'TOKEN_EXPIRED' });
});

test('a token that expires during a run is renewed once, by one login', async ({
  anonymousApi,
  createUser,
  clientWith,
  demoControls,
  env,
  redactor,
}) => {
  test.skip(!demoControls, 'expired tokens come from a demo API control');
  const user = await createUser();
  const expired = await anonymousApi.post('/__demo/tokens', { data: { email: user.username, expiresInSeconds: -60 } });
  await expect(expired).toHaveStatus(201);
  const { token: expiredToken } = (await expired.json()) as { token: string };
  const session = new TokenSession(
    firstExpiredThen(expiredToken, () => logIn(anonymousApi, env.login, user, redactor)),
  );
  const client = await clientWith(session);
  const statuses: number[] = [];
  for (const _call of [1, 2]) statuses.push((await client.get('/api/v1/users/me')).status());

  expect(statuses).toEqual([200, 200]);
  expect(session.logins).toBe(2);
  const stats = await anonymousApi.get('/__demo/stats', { params: { actor: user.username } });
  await expect(stats).toHaveStatus(200);
  expect(((await stats.json()) as { routes: object }).routes).toMatchObject({
    'GET /api/v1/users/me': { byStatus: { '401': 1, '200': 2 } },
    'POST /api/v1/auth/login': { byStatus: { '200': 1 } },
  });
});

// A login function whose first token the API already considers expired, as if the run were long.
function firstExpiredThen(expiredToken: string, login: () => Promise<IssuedToken>) {
  let calls = 0;
  return async () => ((calls += 1) === 1 ? { token: expiredToken, expiresInSeconds: 900 } : login());
}

test("a user cannot read another user's task", async ({ createUser, clientFor }) => {
  const owner = await clientFor(await createUser());
  const stranger = await clientFor(await createUser());
  const submitted = await owner.post('/api/v1/images/generations', { data: { prompt: 'a private lighthouse' } });
  await expect(submitted).toHaveStatus(202);
  const { taskId } = await parse(submitted, TaskAccepted);

  await expect(await owner.get(`/api/v1/tasks/${taskId}`)).toHaveStatus(200);
  const response = await stranger.get(`/api/v1/tasks/${taskId}`);
  await expect(response).toHaveStatus(404);
  expect(await parse(response, Problem)).toMatchObject({ code: 'TASK_NOT_FOUND' });
});
