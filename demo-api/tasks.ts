import { randomUUID } from 'node:crypto';

export const SCENARIOS = ['completes', 'fails', 'never-finishes'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export type Task = {
  id: string;
  ownerId: string;
  prompt: string;
  size: string;
  count: number;
  scenario: Scenario;
  /** Where the webhook goes when the task is finished, if anywhere. */
  callbackUrl: string | null;
  createdAt: number;
  /** When the worker picks the task up. */
  startsAt: number;
  /** When the task reaches its terminal state (never, for a task that never finishes). */
  endsAt: number;
};

export type TaskState = {
  status: 'queued' | 'processing' | 'completed' | 'failed';
  progress: number;
  /** How long until the next change of state, as far as the server can tell. */
  retryAfterMs: number | null;
};

// A task that never finishes keeps telling clients to come back in this long.
const STUCK_RETRY_AFTER_MS = 1_000;
// Part of a task's duration spent waiting in the queue, and the point at which a failing one fails.
const QUEUED_SHARE = 0.2;
const FAILS_AT_SHARE = 0.6;

export function createTask(
  input: Omit<Task, 'id' | 'createdAt' | 'startsAt' | 'endsAt'>,
  durationMs: number,
  now: number,
): Task {
  const endsAt =
    input.scenario === 'never-finishes'
      ? Number.POSITIVE_INFINITY
      : now + Math.round(durationMs * (input.scenario === 'fails' ? FAILS_AT_SHARE : 1));
  return {
    id: `tsk_${randomUUID()}`,
    ...input,
    createdAt: now,
    startsAt: now + Math.round(durationMs * QUEUED_SHARE),
    endsAt,
  };
}

/** The state of a task at a given time: derived, so it is exact and needs no timers. */
export function taskStateAt(task: Task, now: number): TaskState {
  if (now >= task.endsAt) {
    return { status: task.scenario === 'fails' ? 'failed' : 'completed', progress: 100, retryAfterMs: null };
  }
  const remaining = Number.isFinite(task.endsAt) ? roundUpTo100(task.endsAt - now) : STUCK_RETRY_AFTER_MS;
  if (now < task.startsAt) return { status: 'queued', progress: 0, retryAfterMs: remaining };
  const progress = Number.isFinite(task.endsAt)
    ? Math.min(99, Math.floor((100 * (now - task.startsAt)) / (task.endsAt - task.startsAt)))
    : 50;
  return { status: 'processing', progress, retryAfterMs: remaining };
}

function roundUpTo100(ms: number): number {
  return Math.max(100, Math.ceil(ms / 100) * 100);
}

/** The task as GET /api/v1/tasks/{id} answers it in a given state, without faults. */
export function taskBody(task: Task, state: TaskState) {
  const finishedAt =
    state.status === 'completed' || state.status === 'failed' ? new Date(task.endsAt).toISOString() : null;
  const [width, height] = task.size.split('x').map(Number);
  return {
    id: task.id,
    status: state.status,
    progress: state.progress,
    prompt: task.prompt,
    size: task.size,
    createdAt: new Date(task.createdAt).toISOString(),
    completedAt: state.status === 'completed' ? finishedAt : null,
    failedAt: state.status === 'failed' ? finishedAt : null,
    result:
      state.status === 'completed'
        ? {
            images: Array.from({ length: task.count }, (_, index) => ({
              url: `https://images.demo.test/${task.id}/${index}.png`,
              width,
              height,
            })),
          }
        : null,
    error:
      state.status === 'failed'
        ? { code: 'GENERATION_FAILED', message: 'The image model ran out of GPU memory while rendering.' }
        : null,
  };
}

export type TaskBody = ReturnType<typeof taskBody>;

export function taskView(task: Task, now: number, renameStatus: boolean) {
  const state = taskStateAt(task, now);
  const body = taskBody(task, state);
  if (!renameStatus) return { body, state };
  // Fault schema-drift: the field clients depend on most is renamed.
  const { status, ...rest } = body;
  return { body: { ...rest, state: status }, state };
}
