import { randomUUID } from 'node:crypto';
import type { WorkerPool } from './worker-pool';

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
  /** Its place in the workers' queue, in the order of submission. */
  order: number;
  /** When a worker takes the task. */
  startsAt: number;
  /** When the task reaches its terminal state (never, for a task that never finishes). */
  endsAt: number;
};

export type TaskState = {
  status: 'queued' | 'processing' | 'completed' | 'failed';
  progress: number;
  /** 1 for the next task a worker takes; null unless queued. */
  queuePosition: number | null;
};

// The point of its duration at which a failing task fails, and frees its worker.
const FAILS_AT_SHARE = 0.6;

/**
 * A task submitted at `now`, queued for the workers. A task that never finishes keeps its worker for
 * as long as it would have taken, then the worker drops it without a word, as a crashed one does: it
 * stays `processing` for ever, and the queue moves on.
 */
export function createTask(
  input: Omit<Task, 'id' | 'createdAt' | 'order' | 'startsAt' | 'endsAt'>,
  durationMs: number,
  now: number,
  workers: WorkerPool,
): Task {
  const busyMs = Math.round(durationMs * (input.scenario === 'fails' ? FAILS_AT_SHARE : 1));
  const { order, startsAt } = workers.enqueue(now, busyMs);
  const endsAt = input.scenario === 'never-finishes' ? Number.POSITIVE_INFINITY : startsAt + busyMs;
  return { id: `tsk_${randomUUID()}`, ...input, createdAt: now, order, startsAt, endsAt };
}

/** The state of a task at a given time: derived, so it is exact and needs no timers. */
export function taskStateAt(task: Task, now: number, workers: WorkerPool): TaskState {
  if (now >= task.endsAt) return finishedState(task);
  if (now < task.startsAt) {
    return { status: 'queued', progress: 0, queuePosition: workers.queuePosition(task.order, now) };
  }
  const progress = Number.isFinite(task.endsAt)
    ? Math.min(99, Math.floor((100 * (now - task.startsAt)) / (task.endsAt - task.startsAt)))
    : 50;
  return { status: 'processing', progress, queuePosition: null };
}

/** The terminal state of a task that finishes. */
export function finishedState(task: Task): TaskState {
  return { status: task.scenario === 'fails' ? 'failed' : 'completed', progress: 100, queuePosition: null };
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
    queuePosition: state.queuePosition,
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

export function taskView(task: Task, now: number, workers: WorkerPool, renameStatus: boolean) {
  const state = taskStateAt(task, now, workers);
  const body = taskBody(task, state);
  if (!renameStatus) return { body, state };
  // Fault schema-drift: the field clients depend on most is renamed.
  const { status, ...rest } = body;
  return { body: { ...rest, state: status }, state };
}
