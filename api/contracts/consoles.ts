import { z } from 'zod';
import { Timestamp } from './common';

/** An interactive console: POST /api/v1/consoles, GET /api/v1/consoles/{id}. */
export const Console = z.object({
  id: z.string().min(1),
  status: z.enum(['starting', 'ready', 'closed']),
  /** The path of its WebSocket channel. */
  channel: z.string().startsWith('/'),
  createdAt: Timestamp,
  readyAt: Timestamp.nullable(),
});
export type Console = z.infer<typeof Console>;

/** One message the console's channel sends; each carries the id of the client message it answers. */
export const ConsoleMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('welcome'), parentId: z.string().min(1), console: z.string().min(1) }),
  z.object({ type: z.literal('status'), parentId: z.string().min(1), state: z.enum(['busy', 'idle']) }),
  z.object({ type: z.literal('result'), parentId: z.string().min(1), value: z.number() }),
  z.object({ type: z.literal('error'), parentId: z.string().nullable(), code: z.string().min(1), message: z.string() }),
]);
export type ConsoleMessage = z.infer<typeof ConsoleMessage>;
