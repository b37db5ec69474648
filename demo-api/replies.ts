import type { FastifyReply } from 'fastify';

export const problem = (reply: FastifyReply, status: number, code: string, message: string, extra: object = {}) =>
  reply.code(status).send({ code, message, ...extra });

export const setRetryAfter = (reply: FastifyReply, ms: number) =>
  reply.header('retry-after', String(Math.max(1, Math.ceil(ms / 1000)))).header('retry-after-ms', String(ms));

export const unknownHold = (reply: FastifyReply, holdId: string) =>
  problem(reply, 400, 'INVALID_REQUEST', `Unknown hold ${holdId}; create one with POST /__demo/holds.`);
