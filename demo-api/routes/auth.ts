import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { createAuth } from '../auth';
import { problem } from '../replies';
import {
  AUTHENTICATED,
  AUTHENTICATED_PROBLEMS,
  FORBIDDEN,
  INVALID_REQUEST,
  emailSchema,
  problemResponse,
} from '../schemas';
import { hashPassword, newAccount, type Account, type StateOptions } from '../state';

const credentialsSchema = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: { email: emailSchema, password: { type: 'string', minLength: 8, maxLength: 200 } },
} as const;

const EMAIL_TAKEN = problemResponse('EMAIL_TAKEN: an account for this e-mail already exists.');

const accountView = (account: Account) => ({
  id: account.id,
  email: account.email,
  role: account.role,
  createdAt: account.createdAt.toISOString(),
});

/** Sign-up, the accounts, and the password login. */
export const authRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { accounts, config } = state;
  const { authenticate, requireAdmin, issueToken } = createAuth(app, state);

  const createAccount = (email: string, password: string, reply: FastifyReply) => {
    if (accounts.has(email)) return problem(reply, 409, 'EMAIL_TAKEN', `An account for ${email} already exists.`);
    const account = newAccount(email, password, 'user');
    accounts.set(email, account);
    return reply.code(201).send(accountView(account));
  };

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/users',
    {
      schema: {
        summary: 'Sign up',
        description: 'Public sign-up: every test can make its own fresh user.',
        tags: ['users'],
        operationId: 'signUp',
        body: credentialsSchema,
        response: {
          201: { description: 'The new user.', $ref: 'User#' },
          400: INVALID_REQUEST,
          409: EMAIL_TAKEN,
        },
      },
    },
    async (request, reply) => {
      request.actor = request.body.email;
      return createAccount(request.body.email, request.body.password, reply);
    },
  );

  app.get(
    '/api/v1/users/me',
    {
      onRequest: authenticate,
      schema: {
        summary: 'The caller',
        tags: ['users'],
        operationId: 'getCurrentUser',
        security: AUTHENTICATED,
        response: {
          200: { description: 'The account the credentials act as.', $ref: 'User#' },
          ...AUTHENTICATED_PROBLEMS,
        },
      },
    },
    async (request) => accountView(request.account!),
  );

  app.delete<{ Params: { id: string } }>(
    '/api/v1/users/:id',
    {
      onRequest: authenticate,
      schema: {
        summary: 'Delete a user',
        description: 'The account itself or an admin may delete it; the configured role accounts stay.',
        tags: ['users'],
        operationId: 'deleteUser',
        security: AUTHENTICATED,
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        response: {
          204: { description: 'Deleted.', type: 'null' },
          ...AUTHENTICATED_PROBLEMS,
          403: FORBIDDEN,
          404: problemResponse('USER_NOT_FOUND: no user with this id.'),
        },
      },
    },
    async (request, reply) => {
      const caller = request.account!;
      if (caller.id !== request.params.id && caller.role !== 'admin') {
        return problem(reply, 403, 'FORBIDDEN', 'Only the account itself or an admin may delete it.');
      }
      const target = [...accounts.values()].find((account) => account.id === request.params.id);
      if (!target) return problem(reply, 404, 'USER_NOT_FOUND', `No user ${request.params.id}.`);
      if (config.accounts.some((seeded) => seeded.email === target.email)) {
        return problem(reply, 403, 'FORBIDDEN', 'The configured role accounts cannot be deleted.');
      }
      accounts.delete(target.email);
      return reply.code(204).send();
    },
  );

  app.get(
    '/api/v1/admin/users',
    {
      onRequest: [authenticate, requireAdmin],
      schema: {
        summary: 'List the users',
        tags: ['users'],
        operationId: 'listUsers',
        security: AUTHENTICATED,
        response: {
          200: {
            description: 'Every account.',
            type: 'object',
            required: ['users'],
            properties: { users: { type: 'array', items: { $ref: 'User#' } } },
          },
          ...AUTHENTICATED_PROBLEMS,
          403: FORBIDDEN,
        },
      },
    },
    async () => ({ users: [...accounts.values()].map(accountView) }),
  );

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/admin/users',
    {
      onRequest: [authenticate, requireAdmin],
      schema: {
        summary: 'Create a user',
        tags: ['users'],
        operationId: 'createUser',
        security: AUTHENTICATED,
        body: credentialsSchema,
        response: {
          201: { description: 'The new user.', $ref: 'User#' },
          ...AUTHENTICATED_PROBLEMS,
          403: FORBIDDEN,
          409: EMAIL_TAKEN,
        },
      },
    },
    async (request, reply) => createAccount(request.body.email, request.body.password, reply),
  );

  app.post<{ Body: { email: string; password: string } }>(
    '/api/v1/auth/login',
    {
      schema: {
        summary: 'Log in',
        description: 'Refused with 403 ASSETS_NOT_READY while the enterprise assets of the user are provisioned.',
        tags: ['auth'],
        operationId: 'login',
        body: {
          type: 'object',
          required: ['email', 'password'],
          additionalProperties: false,
          properties: { email: emailSchema, password: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: {
          200: {
            description: 'A signed token that expires.',
            type: 'object',
            required: ['token', 'tokenType', 'expiresIn'],
            properties: {
              token: { type: 'string' },
              tokenType: { type: 'string', const: 'Bearer' },
              expiresIn: { type: 'integer', description: 'Seconds.' },
            },
          },
          400: INVALID_REQUEST,
          401: problemResponse('INVALID_CREDENTIALS: wrong e-mail or password.'),
          403: problemResponse('ASSETS_NOT_READY: the enterprise assets of the user are still being provisioned.'),
          500: problemResponse('INTERNAL_ERROR: the login failed (the login-500 fault).'),
        },
      },
    },
    async (request, reply) => {
      request.actor = request.body.email;
      const account = accounts.get(request.body.email);
      if (!account || account.passwordHash !== hashPassword(request.body.password)) {
        return problem(reply, 401, 'INVALID_CREDENTIALS', 'Wrong e-mail or password.');
      }
      if (account.provisioning && !account.provisioning.readyAt) {
        if (request.faults.has('login-500')) {
          return problem(reply, 500, 'INTERNAL_ERROR', 'Asset lookup failed: provisioning record incomplete.');
        }
        return problem(reply, 403, 'ASSETS_NOT_READY', 'Your enterprise assets are still being provisioned.');
      }
      return { token: issueToken(account), tokenType: 'Bearer', expiresIn: config.tokenTtlSeconds };
    },
  );
};
