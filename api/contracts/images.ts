import { z } from 'zod';
import { Timestamp } from './common';

export const TaskAccepted = z.object({
  taskId: z.string().min(1),
  status: z.literal('queued'),
  createdAt: Timestamp,
});

const TaskBase = z.object({
  id: z.string().min(1),
  prompt: z.string(),
  size: z.enum(['256x256', '512x512', '1024x1024']),
  progress: z.int().min(0).max(100),
  /** While queued, the place in the queue for a worker (1: the next one taken); null otherwise. */
  queuePosition: z.int().positive().nullable(),
  createdAt: Timestamp,
});

const Image = z.object({ url: z.url(), width: z.int().positive(), height: z.int().positive() });

/** A generation task in each of its states; only a terminal state carries a result or an error. */
export const Task = z.discriminatedUnion('status', [
  TaskBase.extend({
    status: z.enum(['queued', 'processing']),
    completedAt: z.null(),
    failedAt: z.null(),
    result: z.null(),
    error: z.null(),
  }),
  TaskBase.extend({
    status: z.literal('completed'),
    progress: z.literal(100),
    completedAt: Timestamp,
    failedAt: z.null(),
    result: z.object({ images: z.array(Image).min(1) }),
    error: z.null(),
  }),
  TaskBase.extend({
    status: z.literal('failed'),
    completedAt: z.null(),
    failedAt: Timestamp,
    result: z.null(),
    error: z.object({ code: z.string().min(1), message: z.string().min(1) }),
  }),
]);
export type Task = z.infer<typeof Task>;
