import type { FastifyReply } from 'fastify';

export const problem = (reply: FastifyReply, status: number, code: string, message: string, extra: object = {}) =>
  reply.code(status).send({ code, message, ...extra });

/** Retry-After as the standard has it: whole seconds. */
export const setRetryAfter = (reply: FastifyReply, seconds: number) => reply.header('retry-after', String(seconds));

export const unknownHold = (reply: FastifyReply, holdId: string) =>
  problem(reply, 400, 'INVALID_REQUEST', `Unknown hold ${holdId}; create one with POST /__demo/holds.`);

/** The plain HTTP answer of a route that must be opened as a WebSocket. */
export const upgradeRequired = (reply: FastifyReply) =>
  problem(reply.header('upgrade', 'websocket'), 426, 'UPGRADE_REQUIRED', 'Open this route as a WebSocket.');
