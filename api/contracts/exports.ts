import { z } from 'zod';
import { Timestamp } from './common';

export const ExportResult = z.object({
  exportId: z.string().min(1),
  format: z.enum(['csv', 'json']),
  rows: z.int().nonnegative(),
  startedAt: Timestamp,
  completedAt: Timestamp,
});

/** The throttle sentinel. */
export const InFlight = z.object({ inFlight: z.int().nonnegative(), limit: z.int().positive() });

export const Throttled = z.object({
  code: z.literal('TOO_MANY_IN_FLIGHT'),
  message: z.string(),
  limit: z.int().positive(),
});
