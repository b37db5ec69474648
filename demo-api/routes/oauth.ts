import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { createAuth } from '../auth';
import type { OAuthClient } from '../config';
import { roleAccount, type StateOptions } from '../state';

type TokenRequest = { grant_type?: string; client_id?: string; client_secret?: string; scope?: string };

/** How the client authenticated, and as whom. */
type SentClient =
  | { via: 'basic' | 'form'; clientId: string; clientSecret: string }
  | { via: 'none' }
  | { via: 'unreadable-basic' }
  | { via: 'both' };

const FORM = 'application/x-www-form-urlencoded';

function parseForm(_request: FastifyRequest, body: string, done: (error: Error | null, body?: unknown) => void) {
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    // RFC 6749, section 3.2: a parameter must not be sent more than once.
    if (fields.has(name)) {
      return done(Object.assign(new Error(`The parameter ${name} is repeated.`), { statusCode: 400 }));
    }
    fields.set(name, value);
  }
  done(null, Object.fromEntries(fields));
}

// RFC 6749, section 2.3.1: the id and the secret are form-encoded before they are joined for Basic.
const decodeFormComponent = (text: string) => decodeURIComponent(text.replaceAll('+', ' '));

function basicCredentials(encoded: string) {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const separator = decoded.indexOf(':');
  if (separator < 0) return undefined;
  try {
    return {
      clientId: decodeFormComponent(decoded.slice(0, separator)),
      clientSecret: decodeFormComponent(decoded.slice(separator + 1)),
    };
  } catch {
    return undefined;
  }
}

function sentClient(request: FastifyRequest, body: TokenRequest): SentClient {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (basic === undefined) {
    const inForm = body.client_id !== undefined || body.client_secret !== undefined;
    return inForm
      ? { via: 'form', clientId: body.client_id ?? '', clientSecret: body.client_secret ?? '' }
      : { via: 'none' };
  }
  const credentials = basicCredentials(basic);
  if (!credentials) return { via: 'unreadable-basic' };
  // A client_id beside Basic may only name the same client again.
  if (body.client_secret !== undefined || (body.client_id ?? credentials.clientId) !== credentials.clientId) {
    return { via: 'both' };
  }
  return { via: 'basic', ...credentials };
}

const digest = (text: string) => createHash('sha256').update(text).digest();
const sameSecret = (client: OAuthClient, secret: string) =>
  timingSafeEqual(digest(client.clientSecret), digest(secret));

const oauthError = (reply: FastifyReply, status: 400 | 401, error: string, description: string) =>
  reply.code(status).header('cache-control', 'no-store').send({ error, error_description: description });

// RFC 6749, section 5.2: a client that tried Basic, or sent no authentication at all, gets a Basic challenge.
const invalidClient = (reply: FastifyReply, description: string, challenge: boolean) => {
  if (challenge) reply.header('www-authenticate', 'Basic realm="demo-api"');
  return oauthError(reply, 401, 'invalid_client', description);
};

/** OAuth 2.0 client credentials grant (RFC 6749, section 4.4), for the clients in DEMO_OAUTH_CLIENTS. */
export const oauthRoutes: FastifyPluginAsync<StateOptions> = async (app, { state }) => {
  const { config } = state;
  const { issueToken } = createAuth(app, state);

  // Only in this plugin: the token endpoint takes a form, every other route JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(FORM, { parseAs: 'string' }, parseForm);
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error.statusCode === undefined || error.statusCode >= 500) throw error;
    const description = error.statusCode === 415 ? `Send the parameters as ${FORM}.` : error.message;
    return oauthError(reply, 400, 'invalid_request', description);
  });

  app.post<{ Body: TokenRequest | undefined }>(
    '/oauth/token',
    {
      attachValidation: true,
      schema: {
        summary: 'Get an access token (client credentials)',
        description:
          'RFC 6749, section 4.4. The client authenticates with HTTP Basic or with client_id and client_secret ' +
          'in the form; the access token is accepted as "Authorization: Bearer <token>" on every authenticated route.',
        tags: ['auth'],
        operationId: 'requestOAuthToken',
        security: [{ clientBasic: [] }, {}],
        consumes: [FORM],
        body: {
          type: 'object',
          required: ['grant_type'],
          properties: {
            grant_type: { type: 'string', const: 'client_credentials' },
            client_id: { type: 'string' },
            client_secret: { type: 'string' },
            scope: { type: 'string', description: 'Space-separated scopes; granted as asked.' },
          },
        },
        response: {
          200: {
            description: 'The access token.',
            type: 'object',
            required: ['access_token', 'token_type', 'expires_in'],
            properties: {
              access_token: { type: 'string' },
              token_type: { type: 'string', const: 'Bearer' },
              expires_in: { type: 'integer', description: 'Seconds.' },
              scope: { type: 'string' },
            },
            headers: { 'cache-control': { type: 'string', const: 'no-store' } },
          },
          400: {
            description: 'invalid_request (a missing, repeated or malformed parameter) or unsupported_grant_type.',
            $ref: 'OAuthError#',
          },
          401: {
            description: 'invalid_client: unknown client, wrong secret or no client authentication.',
            $ref: 'OAuthError#',
            headers: { 'www-authenticate': { type: 'string', description: 'Basic, when Basic was used.' } },
          },
        },
      },
    },
    // The schema documents the form; the checks below answer in the terms of RFC 6749.
    async (request, reply) => {
      const body = request.body;
      if (body === undefined) return oauthError(reply, 400, 'invalid_request', `Send the parameters as ${FORM}.`);
      if (body.grant_type === undefined) {
        return oauthError(reply, 400, 'invalid_request', 'The grant_type parameter is missing.');
      }
      const sent = sentClient(request, body);
      if (sent.via === 'both') {
        return oauthError(reply, 400, 'invalid_request', 'Authenticate the client one way: HTTP Basic or the form.');
      }
      if (sent.via === 'none') {
        return invalidClient(reply, 'Authenticate the client with HTTP Basic or client_id and client_secret.', true);
      }
      if (sent.via === 'unreadable-basic') return invalidClient(reply, 'The Basic credentials cannot be read.', true);
      const client = config.oauthClients.find((candidate) => candidate.clientId === sent.clientId);
      const account = client && roleAccount(state, client.role);
      request.actor = account?.email;
      if (!client || !account || !sameSecret(client, sent.clientSecret)) {
        return invalidClient(reply, 'Client authentication failed.', sent.via === 'basic');
      }
      if (body.grant_type !== 'client_credentials') {
        return oauthError(reply, 400, 'unsupported_grant_type', 'Only the client_credentials grant is supported.');
      }
      const scope = body.scope?.trim() || undefined;
      const accessToken = issueToken(account, config.oauthTokenTtlSeconds, {
        client_id: client.clientId,
        ...(scope === undefined ? {} : { scope }),
      });
      return reply
        .header('cache-control', 'no-store')
        .header('pragma', 'no-cache')
        .send({
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: config.oauthTokenTtlSeconds,
          ...(scope === undefined ? {} : { scope }),
        });
    },
  );
};
