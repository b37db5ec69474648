import { parse } from '../helpers/contract';
import { Health, TaskAccepted, Task } from '../helpers/contracts';
import { expect, test } from '../fixtures';

test('the API answers its health check', async ({ anonymousApi }) => {
  const response = await anonymousApi.get('/health');
  expect(response.status()).toBe(200);
  await expect(response).toMatchSchema(Health);
});

test('the user role can call an authenticated route', async ({ api }) => {
  const response = await api.get('/api/v1/users/me');
  expect(response.status()).toBe(200);
});

test('an image generation task is polled to completion', async ({ api, env }) => {
  const submitted = await api.post('/api/v1/images/generations', { data: { prompt: 'a lighthouse at dawn' } });
  expect(submitted.status()).toBe(202);
  const { taskId } = await parse(submitted, TaskAccepted);

  await expect
    .poll(async () => (await parse(await api.get(`/api/v1/tasks/${taskId}`), Task)).status, {
      timeout: env.slaMs.imageGeneration,
    })
    .toBe('completed');
});
