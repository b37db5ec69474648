import { expect, test } from '../../../api/fixtures';

// Checks its statuses only: whether the answers conform to the OpenAPI document is for OPENAPI_CONFORMANCE.
test('a task is read back', async ({ api }) => {
  // The submission is not what this spec is about: its answer is not checked against the document.
  const submitted = await api.post('/api/v1/images/generations', {
    data: { prompt: 'a lighthouse at dawn' },
    conformance: false,
  });
  await expect(submitted).toHaveStatus(202);
  const { taskId } = (await submitted.json()) as { taskId: string };

  const task = await api.get(`/api/v1/tasks/${taskId}`);
  await expect(task).toHaveStatus(200);
});

// The same submission, its answer checked: the control of the opt-out above.
test('an image generation is accepted', async ({ api }) => {
  const submitted = await api.post('/api/v1/images/generations', { data: { prompt: 'a lighthouse at dusk' } });
  await expect(submitted).toHaveStatus(202);
});
