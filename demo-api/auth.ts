import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Role } from './config';
import { problem } from './replies';
import { roleAccount, type Account, type DemoState } from './state';

export type TokenClaims = { sub: string; email: string; role: Role; client_id?: string; scope?: string };

/**
 * The hooks of the authenticated routes. A request authenticates with a login or OAuth token
 * (`Authorization: Bearer <jwt>`) or with a static API key (`X-API-Key: <key>`,
 * `Authorization: Bearer <key>` or `Authorization: token <key>`).
 */
export function createAuth(app: FastifyInstance, state: DemoState) {
  const issueToken = (
    account: Account,
    expiresInSeconds = state.config.tokenTtlSeconds,
    extraClaims: Pick<TokenClaims, 'client_id' | 'scope'> = {},
  ) =>
    app.jwt.sign({ sub: account.id, email: account.email, role: account.role, ...extraClaims } satisfies TokenClaims, {
      expiresIn: expiresInSeconds,
    });

  // Who a rejected token claims to be, for the request counters only.
  const actorOf = (token: string) => {
    try {
      return app.jwt.decode<Partial<TokenClaims>>(token)?.email;
    } catch {
      return undefined;
    }
  };

  const actAs = (request: FastifyRequest, account: Account) => {
    request.account = account;
    request.actor = account.email;
  };

  function useApiKey(request: FastifyRequest, reply: FastifyReply, key: string) {
    const role = state.config.apiKeys.get(key);
    const account = role && roleAccount(state, role);
    if (!account) return problem(reply, 401, 'INVALID_API_KEY', 'The API key is not valid.');
    actAs(request, account);
  }

  async function authenticate(request: FastifyRequest, reply: FastifyReply) {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string') return useApiKey(request, reply, apiKey);
    const header = request.headers.authorization;
    if (header?.startsWith('token ')) return useApiKey(request, reply, header.slice('token '.length));
    if (!header?.startsWith('Bearer ')) {
      return problem(reply, 401, 'MISSING_TOKEN', 'Send a token as "Authorization: Bearer <token>".');
    }
    const token = header.slice('Bearer '.length);
    if (state.config.apiKeys.has(token)) return useApiKey(request, reply, token);
    let claims: TokenClaims;
    try {
      claims = app.jwt.verify<TokenClaims>(token);
    } catch (error) {
      request.actor = actorOf(token);
      const expired = (error as { code?: string }).code === 'FAST_JWT_EXPIRED';
      return expired
        ? problem(reply, 401, 'TOKEN_EXPIRED', 'The token has expired; log in again.')
        : problem(reply, 401, 'INVALID_TOKEN', 'The token is not valid.');
    }
    const account = state.accounts.get(claims.email);
    if (!account || account.id !== claims.sub) {
      return problem(reply, 401, 'INVALID_TOKEN', 'The token belongs to no account.');
    }
    actAs(request, account);
  }

  const requireAdmin = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.account?.role !== 'admin') return problem(reply, 403, 'FORBIDDEN', 'Only an admin may do this.');
  };

  return { authenticate, requireAdmin, issueToken };
}
