import { byStatusField, retryAfterMs } from '../../../helpers/readiness/classifiers';

import { Task, TaskAccepted } from '../../../api/contracts';
import { PollWaitError } from '../../../helpers/readiness/wait';
import { type ApiClient, expect, parse, test } from './demo';

// Submit, then poll. The demo API is asked for each outcome through a test control,
// x-demo-scenario: the outcome comes from the API itself, not from a mock.
type Scenario = 'completes' | 'fails' | 'never-finishes';

async function submitGeneration(api: ApiClient, prompt: string, scenario: Scenario = 'completes') {
  const response = await api.post('/api/v1/images/generations', {
    data: { prompt, size: '512x512', n: 2 },
    headers: { 'x-demo-scenario': scenario },
  });
  await expect(response).toHaveStatus(202);
  const accepted = await parse(response, TaskAccepted);
  expect(response.headers()['location']).toBe(`/api/v1/tasks/${accepted.taskId}`);
  return { taskId: accepted.taskId, retryAfterMs: retryAfterMs(response.headers()) };
}

/** What waiting for a task means: its status field, within the SLA, from the 202's Retry-After on. */
function taskCompletion(api: ApiClient, { taskId, retryAfterMs }: { taskId: string; retryAfterMs?: number }) {
  return {
    operation: 'image generation',
    subject: `task ${taskId}`,
    initialRetryAfterMs: retryAfterMs,
    probe: ({ timeoutMs }: { timeoutMs: number }) => api.get(`/api/v1/tasks/${taskId}`, { timeout: timeoutMs }),
    classify: byStatusField({ schema: Task }),
  };
}

test('a generation task completes and its result matches the contract', async ({ api, waitUntilReady }) => {
  const submitted = await submitGeneration(api, 'a lighthouse at dawn, oil on canvas');

  const { value: task, record } = await waitUntilReady(taskCompletion(api, submitted));

  expect(task).toMatchObject({ id: submitted.taskId, status: 'completed', progress: 100, error: null });
  expect(task.result?.images).toHaveLength(2);
  expect(task.result?.images.map(({ width, height }) => `${width}x${height}`)).toEqual(['512x512', '512x512']);
  expect(record.timeline.at(-1)).toMatchObject({ observed: 'status completed', verdict: 'ready', httpStatus: 200 });
});

test("a failing task fails the wait at once with the server's error", async ({ api, waitUntilReady }) => {
  const submitted = await submitGeneration(api, 'a lighthouse in a storm', 'fails');

  const failure = await waitUntilReady({
    ...taskCompletion(api, submitted),
    expectedOutcome: 'terminal-failure',
  }).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(PollWaitError);
  const { message, record } = failure as PollWaitError;
  expect(message).toContain(`Terminal failure reported by the API: image generation of task ${submitted.taskId}`);
  expect(message).toContain('status failed: GENERATION_FAILED: The image model ran out of GPU memory');
  // Fast means: the first observation of the failure ended the wait; nothing was polled after it.
  expect(record.outcome).toBe('terminal-failure');
  expect(record.timeline.at(-1)).toMatchObject({ observed: 'status failed', verdict: 'fatal' });
  const notReady = Array.from({ length: record.attempts - 1 }, () => 'not-ready');
  expect(record.timeline.map((attempt) => attempt.verdict)).toEqual([...notReady, 'fatal']);
});

test('a task that never finishes fails at its SLA, naming the task and its last status', async ({
  api,
  sla,
  waitUntilReady,
}) => {
  const submitted = await submitGeneration(api, 'a lighthouse that is never drawn', 'never-finishes');

  const failure = await waitUntilReady({
    ...taskCompletion(api, submitted),
    expectedOutcome: 'timeout',
  }).catch((error: unknown) => error);

  expect(failure).toBeInstanceOf(PollWaitError);
  const { message, record } = failure as PollWaitError;
  const slaSeconds = `${sla('image generation') / 1000} s`;
  expect(message).toMatch(
    new RegExp(
      `^Readiness timeout: image generation of task ${submitted.taskId} not ready within the ${slaSeconds} SLA: last status processing \\(HTTP 200\\) after \\d+ attempts in `,
    ),
  );
  // That no poll outlasts the SLA is shown by the helper's unit tests, on a fake clock: timings
  // measured here, on a shared machine, would make this test flaky.
  expect(record.outcome).toBe('timeout');
});
