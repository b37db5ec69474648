import type { FastifyReply } from 'fastify';

export const problem = (reply: FastifyReply, status: number, code: string, message: string, extra: object = {}) =>
  reply.code(status).send({ code, message, ...extra });

/** Retry-After as the standard has it: whole seconds. */
export const setRetryAfter = (reply: FastifyReply, seconds: number) => reply.header('retry-after', String(seconds));

export const unknownHold = (reply: FastifyReply, holdId: string) =>
  problem(reply, 400, 'INVALID_REQUEST', `Unknown hold ${holdId}; create one with POST /__demo/holds.`);
