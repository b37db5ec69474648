import { z } from 'zod';
import { Timestamp } from './common';
import { Task } from './images';

/** GET /api/v1/webhooks/signing-secret: the Standard Webhooks secret of the caller's account. */
export const SigningSecret = z.object({ secret: z.string().startsWith('whsec_') });

// The `data` of a webhook is what GET /api/v1/tasks/{id} says of the finished task.
const [, CompletedTask, FailedTask] = Task.options;

/** The webhook a finished image generation sends to its callbackUrl. */
export const ImageGenerationEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('image.generation.completed'),
    timestamp: Timestamp,
    data: CompletedTask.pick({ status: true, completedAt: true, result: true }).extend({ taskId: z.string().min(1) }),
  }),
  z.object({
    type: z.literal('image.generation.failed'),
    timestamp: Timestamp,
    data: FailedTask.pick({ status: true, failedAt: true, error: true }).extend({ taskId: z.string().min(1) }),
  }),
]);
export type ImageGenerationEvent = z.infer<typeof ImageGenerationEvent>;
