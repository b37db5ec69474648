import { z } from 'zod';

// Objects are not strict: a field the API adds is not a breaking change for a client,
// a field it removes, renames or retypes is.

export const Timestamp = z.iso.datetime({ offset: true });

/** The error body every 4xx/5xx of the API carries. */
export const Problem = z.object({
  code: z.string().min(1),
  message: z.string().min(1),
});
export type Problem = z.infer<typeof Problem>;

export const Health = z.object({ status: z.literal('ok') });
