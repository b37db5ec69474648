import { type Task, type TaskState, taskView } from './tasks';
import type { WorkerPool } from './worker-pool';

export type TaskEventType = 'progress' | 'completed' | 'failed';

export type TaskEvent = { type: TaskEventType; task: ReturnType<typeof taskView>['body'] };

type WatchOptions = {
  /** How often a processing task reports its progress. */
  tickMs: number;
  /** Fault schema-drift: the task as GET /api/v1/tasks/{id} answers it under that fault. */
  renameStatus: boolean;
  workers: WorkerPool;
};

const eventTypeOf = (status: TaskState['status']): TaskEventType =>
  status === 'completed' || status === 'failed' ? status : 'progress';

/**
 * What the task streams push: the current state at once, then an event whenever the status changes and
 * every `tickMs` while the task is processing, until the event of its terminal state. Returns `stop`,
 * which clears the timer (a task that never finishes reports its progress until then).
 */
export function watchTask(
  task: Task,
  { tickMs, renameStatus, workers }: WatchOptions,
  emit: (event: TaskEvent) => void,
) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastStatus: TaskState['status'] | undefined;
  let nextTickAt = 0;

  const step = () => {
    const now = Date.now();
    const { body, state } = taskView(task, now, workers, renameStatus);
    const type = eventTypeOf(state.status);
    if (state.status !== lastStatus || (state.status === 'processing' && now >= nextTickAt)) {
      lastStatus = state.status;
      nextTickAt = now + tickMs;
      emit({ type, task: body });
    }
    if (stopped || type !== 'progress') return;
    // The next change of status: a queued task starts, a processing one ends (never, if it never finishes).
    const changesAt = state.status === 'queued' ? task.startsAt : task.endsAt;
    const wakeAt = state.status === 'processing' ? Math.min(nextTickAt, changesAt) : changesAt;
    timer = setTimeout(step, Math.max(0, wakeAt - Date.now()));
    timer.unref();
  };

  step();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
