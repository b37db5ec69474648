import { expect, test } from '../fixtures';

test('the API answers its health check', async ({ request }) => {
  const response = await request.get('/health');
  expect(response.status()).toBe(200);
});

test('the user role can log in', async ({ request, env }) => {
  const response = await request.post('/api/v1/auth/login', { data: env.credentials.user });
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ token: expect.any(String), expiresIn: expect.any(Number) });
});

test('an image generation task is polled to completion', async ({ request, env }) => {
  const login = await request.post('/api/v1/auth/login', { data: env.credentials.user });
  const { token } = (await login.json()) as { token: string };
  const headers = { authorization: `Bearer ${token}` };

  const submitted = await request.post('/api/v1/images/generations', {
    headers,
    data: { prompt: 'a lighthouse at dawn' },
  });
  expect(submitted.status()).toBe(202);
  const location = submitted.headers()['location'];
  expect(location).toMatch(/^\/api\/v1\/tasks\//);

  await expect
    .poll(async () => ((await (await request.get(location!, { headers })).json()) as { status: string }).status, {
      timeout: env.slaMs.imageGeneration,
    })
    .toBe('completed');
});
