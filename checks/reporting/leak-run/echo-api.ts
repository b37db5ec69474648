import { createHash } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the leak probe's API knows: the password login it accepts, a static key, an OAuth client. */
export type EchoCredentials = {
  username: string;
  password: string;
  partnerKey: string;
  clientId: string;
  clientSecret: string;
};

export type EchoApi = {
  url: string;
  /** Every token and webhook secret it gave out: secrets that only exist during the run. */
  issuedTokens: readonly string[];
  close(): Promise<void>;
};

// Tokens as third-party APIs issue them: a fixed prefix, then the part that is secret.
export const TOKEN_PREFIX = 'tok-live-';

/**
 * A third-party API as careless ones are: a password login and an OAuth client-credentials grant that
 * issue fresh tokens, a webhook signing secret handed out in an answer, and answers that repeat the
 * credential they were sent, as JSON (like the echo endpoints of public HTTP test services) and in an
 * HTML error page.
 */
export async function startEchoApi(credentials: EchoCredentials): Promise<EchoApi> {
  const issuedTokens: string[] = [];
  const server = createServer((request, response) => {
    void answer(request, response, credentials, issuedTokens);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    issuedTokens,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  credentials: EchoCredentials,
  issuedTokens: string[],
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://echo.test');
  // Deterministic, and unguessable by the run: only the answer that gives it out tells it.
  const issue = (prefix: string) => {
    const secret = `${prefix}${createHash('sha256').update(`${credentials.password}#${issuedTokens.length}`).digest('base64url').slice(0, 32)}`;
    issuedTokens.push(secret);
    return secret;
  };
  const json = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method === 'POST' && url.pathname === '/login') {
    const { username, password } = JSON.parse(await bodyOf(request)) as Record<string, string>;
    if (username !== credentials.username || password !== credentials.password) {
      json(401, { error: 'invalid_credentials' });
      return;
    }
    json(200, { token: issue(TOKEN_PREFIX), expiresIn: 3600 });
    return;
  }
  if (request.method === 'POST' && url.pathname === '/oauth/token') {
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
    if (request.headers.authorization !== `Basic ${basic}`) {
      json(401, { error: 'invalid_client' });
      return;
    }
    json(200, { access_token: issue('oat-'), token_type: 'Bearer', expires_in: 3600 });
    return;
  }
  const sent = request.headers.authorization?.replace(/^Bearer /, '') ?? String(request.headers['x-api-key'] ?? '');
  if (!issuedTokens.includes(sent) && sent !== credentials.partnerKey) {
    json(401, { error: 'unauthorized' });
    return;
  }
  if (url.pathname === '/webhook-secret') {
    json(200, { secret: issue('whsec_') });
    return;
  }
  if (url.pathname === '/echo') {
    json(200, {
      authenticated: true,
      you_sent: sent,
      headers: { authorization: request.headers.authorization, 'x-api-key': request.headers['x-api-key'] },
    });
    return;
  }
  response.writeHead(502, { 'content-type': 'text/html' });
  response.end(
    `<!doctype html><html><head><title>502 Bad Gateway</title></head><body><pre>Authorization: Bearer ${sent}</pre>` +
      `<div data-api-token="${sent}"><a href="/login?token=${encodeURIComponent(sent)}">Try again</a></div></body></html>`,
  );
}

function bodyOf(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
