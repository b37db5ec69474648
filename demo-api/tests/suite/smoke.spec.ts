import { Health, Task, TaskAccepted } from '../../../api/contracts';
import { expect, parse, test } from './demo';
import { zGetCurrentUserResponse } from '../../../api/generated/schemas';
import { byStatusField, retryAfterMs } from '../../../helpers/readiness/classifiers';

test('the API answers its health check', async ({ anonymousApi }) => {
  const response = await anonymousApi.get('/health');
  await expect(response).toHaveStatus(200);
  await expect(response).toMatchSchema(Health);
});

test('the user role can call an authenticated route', async ({ api }) => {
  const response = await api.get('/api/v1/users/me');
  await expect(response).toHaveStatus(200);
  // Generated from the API's OpenAPI document (npm run contracts:generate): no hand-written schema needed.
  await expect(response).toMatchSchema(zGetCurrentUserResponse);
});

test('an image generation task is polled to completion', async ({ api, waitUntilReady }) => {
  const submitted = await api.post('/api/v1/images/generations', { data: { prompt: 'a lighthouse at dawn' } });
  await expect(submitted).toHaveStatus(202);
  const { taskId } = await parse(submitted, TaskAccepted);

  const { value: task } = await waitUntilReady({
    operation: 'image generation',
    subject: `task ${taskId}`,
    initialRetryAfterMs: retryAfterMs(submitted.headers()),
    probe: ({ timeoutMs }) => api.get(`/api/v1/tasks/${taskId}`, { timeout: timeoutMs }),
    classify: byStatusField({ schema: Task }),
  });

  expect(task.id).toBe(taskId);
  expect(task.result?.images[0]?.url).toMatch(/^https:\/\//);
});
