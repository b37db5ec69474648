import type { AuthHeader, AuthSource } from './client';

/** Where, under Playwright's output folder, each worker notes how often its role sessions logged in. */
export const ROLE_LOGINS_DIR = 'role-logins';

/** A token and, when the API says, how long it lives. */
export type IssuedToken = { token: string; expiresInSeconds: number | undefined };

// Renew a little before expiry rather than spend a request on a 401.
const RENEW_BEFORE_EXPIRY_MS = 30_000;

/**
 * The token of one identity, shared by every test of a worker: it is issued on first use (a login,
 * a client-credentials grant), again only when it is about to expire or the API rejected it, and
 * never twice at once.
 */
export class TokenSession implements AuthSource {
  private current: Promise<{ header: AuthHeader; expiresAt: number }> | undefined;
  private loginCount = 0;
  private renewalCount = 0;

  constructor(
    private readonly issue: () => Promise<IssuedToken>,
    private readonly toHeader: (token: string) => AuthHeader = bearer,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many times this session has obtained a token. */
  get logins(): number {
    return this.loginCount;
  }

  /** How many of those renewed an expired or rejected token. */
  get renewals(): number {
    return this.renewalCount;
  }

  async header(): Promise<AuthHeader> {
    this.current ??= this.obtain();
    const session = await this.current;
    if (session.expiresAt - this.now() > RENEW_BEFORE_EXPIRY_MS) return session.header;
    return (await this.renew(session.header))!;
  }

  async renew(rejected: AuthHeader): Promise<AuthHeader | undefined> {
    const before = this.current;
    const session = await before;
    // Another test of this worker may have renewed it already, or be renewing it right now.
    if (this.current !== before || (session && session.header.value !== rejected.value)) return this.header();
    this.renewalCount += 1;
    this.current = this.obtain();
    return (await this.current).header;
  }

  private async obtain() {
    this.loginCount += 1;
    const { token, expiresInSeconds } = await this.issue();
    const expiresAt = expiresInSeconds === undefined ? Number.POSITIVE_INFINITY : this.now() + expiresInSeconds * 1000;
    return { header: this.toHeader(token), expiresAt };
  }
}

/**
 * A token that cannot be renewed (an API key, a personal access token): sent as it is, and after a
 * 401 never sent again, so that the test fails with the API's answer.
 */
export class StaticToken implements AuthSource {
  readonly logins = 0;
  readonly renewals = 0;

  constructor(private readonly read: () => AuthHeader) {}

  async header(): Promise<AuthHeader> {
    return this.read();
  }

  async renew(): Promise<undefined> {
    return undefined;
  }
}

/** `Authorization: Bearer <token>`, or another header and scheme ('' sends the bare token). */
export function authHeader(name: string, scheme: string): (token: string) => AuthHeader {
  return (token) => ({ name, value: scheme ? `${scheme} ${token}` : token });
}

const bearer = authHeader('Authorization', 'Bearer');
