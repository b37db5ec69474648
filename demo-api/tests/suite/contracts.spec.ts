import {
  Assets,
  Health,
  InFlight,
  JoinAccepted,
  LoginResponse,
  Problem,
  Task,
  TaskAccepted,
  User,
  UserList,
} from '../../../api/contracts';
import { expect, parse, test } from './demo';

// Every response of the API against its schema, and what bad input gets back.

test('every endpoint answers as its contract says', async ({ api, adminApi, anonymousApi, createUser, clientFor }) => {
  const user = await createUser();
  const member = await clientFor(user);
  const submitted = await api.post('/api/v1/images/generations', { data: { prompt: 'a contract lighthouse' } });
  await expect(submitted).toHaveStatus(202);
  const { taskId } = await parse(submitted, TaskAccepted);
  const checks = [
    [await anonymousApi.get('/health'), 200, Health],
    [
      await anonymousApi.post('/api/v1/auth/login', { data: { email: user.email, password: user.password } }),
      200,
      LoginResponse,
    ],
    [await api.get('/api/v1/users/me'), 200, User],
    [await adminApi.get('/api/v1/admin/users'), 200, UserList],
    [submitted, 202, TaskAccepted],
    [await api.get(`/api/v1/tasks/${taskId}`), 200, Task],
    [await member.get('/api/v1/assets'), 200, Assets],
    [await member.post('/api/v1/enterprise/join', { data: { enterprise: 'Contract Corp' } }), 200, JoinAccepted],
    [await member.get('/api/v1/exports/in-flight'), 200, InFlight],
  ] as const;
  for (const [response, status, schema] of checks) {
    await expect(response, response.url()).toHaveStatus(status);
    await expect(response).toMatchSchema(schema);
  }
});

test('invalid bodies get 400 with a message that says what is wrong', async ({
  api,
  anonymousApi,
  createUser,
  clientFor,
}) => {
  // Invalid requests must change nothing, but a join is sent as a fresh user all the same.
  const member = await clientFor(await createUser());
  const cases = [
    [api, '/api/v1/images/generations', {}, "body must have required property 'prompt'"],
    [api, '/api/v1/images/generations', { prompt: '' }, 'body/prompt must NOT have fewer than 1 characters'],
    [api, '/api/v1/images/generations', { prompt: 'x', n: 9 }, 'body/n must be <= 4'],
    [
      api,
      '/api/v1/images/generations',
      { prompt: 'x', size: '7x7' },
      'body/size must be equal to one of the allowed values',
    ],
    [api, '/api/v1/exports', { format: 'xml' }, 'body/format must be equal to one of the allowed values'],
    [member, '/api/v1/enterprise/join', { enterprise: 42 }, 'body/enterprise must be string'],
    [
      anonymousApi,
      '/api/v1/users',
      { email: 'not-an-email', password: 'long-enough' },
      'body/email must match format "email"',
    ],
    [
      anonymousApi,
      '/api/v1/users',
      { email: 'a@example.test', password: 'short' },
      'body/password must NOT have fewer than 8 characters',
    ],
    [anonymousApi, '/api/v1/auth/login', { email: 'a@example.test' }, "body must have required property 'password'"],
  ] as const;
  for (const [client, path, data, message] of cases) {
    const response = await client.post(path, { data });
    await expect(response, `${path} ${JSON.stringify(data)}`).toHaveStatus(400);
    expect(await parse(response, Problem)).toEqual({ code: 'INVALID_REQUEST', message });
  }
});

test('a body that is not JSON gets 400', async ({ api }) => {
  const response = await api.post('/api/v1/images/generations', {
    data: Buffer.from('{"prompt": '), // a Buffer is sent as it is; a string would be JSON-encoded
    headers: { 'content-type': 'application/json' },
  });
  await expect(response).toHaveStatus(400);
  expect(await parse(response, Problem)).toEqual({
    code: 'INVALID_REQUEST',
    message: "Body is not valid JSON but content-type is set to 'application/json'",
  });
});

test('an unknown task id gets 404', async ({ api }) => {
  const response = await api.get('/api/v1/tasks/tsk_does-not-exist');
  await expect(response).toHaveStatus(404);
  expect(await parse(response, Problem)).toEqual({ code: 'TASK_NOT_FOUND', message: 'No task tsk_does-not-exist.' });
});

test('an unknown route gets 404 with the problem body', async ({ anonymousApi }) => {
  const response = await anonymousApi.get('/api/v1/nothing-here');
  await expect(response).toHaveStatus(404);
  await expect(response).toMatchSchema(Problem);
});
