import { z } from 'zod';
import { Task } from './images';

// Each message carries the task as GET /api/v1/tasks/{id} answers it, in the state its event names.
const [UnfinishedTask, CompletedTask, FailedTask] = Task.options;

/** One server-sent event of GET /api/v1/tasks/{id}/events, as streams.waitFor hands it to the schema. */
export const TaskEvent = z.discriminatedUnion('event', [
  z.object({ id: z.string().min(1), event: z.literal('progress'), data: UnfinishedTask }),
  z.object({ id: z.string().min(1), event: z.literal('completed'), data: CompletedTask }),
  z.object({ id: z.string().min(1), event: z.literal('failed'), data: FailedTask }),
]);
export type TaskEvent = z.infer<typeof TaskEvent>;

/** One message of the WebSocket GET /api/v1/tasks/{id}/stream. */
export const TaskStreamMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), task: UnfinishedTask }),
  z.object({ type: z.literal('completed'), task: CompletedTask }),
  z.object({ type: z.literal('failed'), task: FailedTask }),
]);
export type TaskStreamMessage = z.infer<typeof TaskStreamMessage>;
