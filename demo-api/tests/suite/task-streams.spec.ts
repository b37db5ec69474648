import type { z } from 'zod';
import { Task, TaskAccepted, TaskEvent, TaskStreamMessage } from '../../../api/contracts';
import { StreamWaitError } from '../../../helpers/push/streams/wait';
import type { StreamChannel } from '../../../helpers/push/streams/opening';
import { type ApiClient, expect, parse, test } from './demo';

// Submit, then follow the task as the API pushes it, over server-sent events or a WebSocket, instead of
// polling it. The outcome of a task is asked for with x-demo-scenario, a broken connection with the
// x-demo-faults header of the stream request: both come from the API itself, not from a mock.
type Scenario = 'completes' | 'fails';

async function submitGeneration(api: ApiClient, prompt: string, scenario: Scenario = 'completes') {
  const response = await api.post('/api/v1/images/generations', {
    data: { prompt, size: '512x512', n: 2 },
    headers: { 'x-demo-scenario': scenario },
  });
  await expect(response).toHaveStatus(202);
  return (await parse(response, TaskAccepted)).taskId;
}

/** A message of either channel: what happened to the task, and the task as GET /api/v1/tasks/{id} answers it. */
type TaskUpdate = { type: 'progress' | 'completed' | 'failed'; task: Task };

const CHANNELS: Record<
  StreamChannel,
  { name: string; path: (taskId: string) => string; schema: z.ZodType<TaskUpdate> }
> = {
  sse: {
    name: 'server-sent events',
    path: (taskId: string) => `/api/v1/tasks/${taskId}/events`,
    schema: TaskEvent.transform(({ event, data }) => ({ type: event, task: data })),
  },
  websocket: {
    name: 'a WebSocket',
    path: (taskId: string) => `/api/v1/tasks/${taskId}/stream`,
    schema: TaskStreamMessage,
  },
};

/** What following a task means: its stream, until the event of a finished task, within the SLA of the operation. */
function taskStream(channel: StreamChannel, taskId: string, headers: Record<string, string> = {}) {
  return {
    channel,
    path: CHANNELS[channel].path(taskId),
    headers,
    operation: 'image generation',
    subject: `task ${taskId}`,
    schema: CHANNELS[channel].schema,
    isTerminal: ({ type }: TaskUpdate) => type !== 'progress',
    isFailure: ({ type }: TaskUpdate) => type === 'failed',
    describe: ({ type, task }: TaskUpdate) =>
      task.error ? `${type}: ${task.error.code}: ${task.error.message}` : `${type} ${task.progress} %`,
    completedAt: ({ task }: TaskUpdate) => task.completedAt,
  };
}

for (const channel of Object.keys(CHANNELS) as StreamChannel[]) {
  const { name } = CHANNELS[channel];

  test(`a generation task is followed to completion over ${name}`, async ({ api, streams }) => {
    const taskId = await submitGeneration(api, `a lighthouse at dawn, followed over ${name}`);

    const { message, messages, record } = await streams.waitFor(taskStream(channel, taskId));

    // The terminal event carries the finished task, as a poll of it answers.
    expect(message.type).toBe('completed');
    expect(message.task).toEqual(await parse(await api.get(`/api/v1/tasks/${taskId}`), Task));
    expect(message.task.result?.images).toHaveLength(2);
    // Progress events until then, the task unfinished and its progress never going back.
    const progressEvents = Array.from({ length: messages.length - 1 }, () => 'progress');
    expect(messages.map(({ type }) => type)).toEqual([...progressEvents, 'completed']);
    const progress = messages.map(({ task }) => task.progress);
    expect(progress).toEqual(progress.toSorted((a, b) => a - b));
    expect(record).toMatchObject({
      operation: `image generation (${channel})`,
      channel,
      outcome: 'ready',
      attempts: messages.length,
    });
    expect(record.timeline.at(-1)).toMatchObject({ observed: 'completed 100 %', verdict: 'ready' });
    expect(record.receivedAfterCompletionMs).toEqual(expect.any(Number));
  });

  test(`a failing task fails the wait over ${name} at once with the server's error`, async ({
    api,
    streams,
    demoControls,
  }) => {
    test.skip(!demoControls, 'a failing task comes from a demo API control');
    const taskId = await submitGeneration(api, `a lighthouse in a storm, followed over ${name}`, 'fails');

    const failure = await streams
      .waitFor({ ...taskStream(channel, taskId), expectedOutcome: 'terminal-failure' })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(StreamWaitError);
    const { message, record } = failure as StreamWaitError;
    expect(message).toContain(
      `Terminal failure reported by the API: image generation (${channel}) of task ${taskId} failed on message ${record.attempts}`,
    );
    expect(message).toContain('failed: GENERATION_FAILED: The image model ran out of GPU memory');
    // Fast means: the failure event ended the wait; every message before it was progress.
    expect(record).toMatchObject({ outcome: 'terminal-failure', provoked: true });
    const progress = Array.from({ length: record.attempts - 1 }, () => 'not-ready');
    expect(record.timeline.map((entry) => entry.verdict)).toEqual([...progress, 'fatal']);
  });

  test(`a connection dropped mid-stream over ${name} is reported as dropped, not as a timeout`, async ({
    api,
    streams,
    demoControls,
  }) => {
    test.skip(!demoControls, 'the dropped connection is a demo API fault');
    const taskId = await submitGeneration(api, `a lighthouse out of reach, followed over ${name}`);

    const failure = await streams
      .waitFor({
        ...taskStream(channel, taskId, { 'x-demo-faults': 'stream-drop' }),
        expectedOutcome: 'connection-dropped',
      })
      .catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(StreamWaitError);
    const { message, record } = failure as StreamWaitError;
    expect(message).toMatch(
      new RegExp(
        `^Connection dropped: image generation \\(${channel}\\) of task ${taskId} was cut off: the ${channel === 'sse' ? 'event stream from \\S+ ended' : 'WebSocket connection to \\S+ closed with code 1006'}.* before a terminal event, after 1 message \\(last: progress \\d+ %\\)$`,
      ),
    );
    expect(message).not.toMatch(/timeout|SLA/i);
    expect(record).toMatchObject({
      outcome: 'connection-dropped',
      provoked: true,
      attempts: 1,
      close: { by: 'server' },
    });
  });
}
