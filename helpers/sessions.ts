import type { AuthSource } from './api-client';

/** Where, under Playwright's output folder, each worker notes how often its role sessions logged in. */
export const ROLE_LOGINS_DIR = 'role-logins';

export type IssuedToken = { token: string; expiresInSeconds: number };

// Renew a little before expiry rather than spend a request on a 401.
const RENEW_BEFORE_EXPIRY_MS = 30_000;

/**
 * The token of one identity, shared by every test of a worker: it logs in on first use,
 * again only when the token is about to expire or the API rejected it, and never twice at once.
 */
export class TokenSession implements AuthSource {
  private current: Promise<{ authorization: string; expiresAt: number }> | undefined;
  private loginCount = 0;
  private renewalCount = 0;

  constructor(
    private readonly login: () => Promise<IssuedToken>,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many times this session has logged in. */
  get logins(): number {
    return this.loginCount;
  }

  /** How many of those logins renewed an expired or rejected token. */
  get renewals(): number {
    return this.renewalCount;
  }

  async authorization(): Promise<string> {
    this.current ??= this.logIn();
    const session = await this.current;
    if (session.expiresAt - this.now() > RENEW_BEFORE_EXPIRY_MS) return session.authorization;
    return this.renew(session.authorization);
  }

  async renew(rejected: string): Promise<string> {
    const before = this.current;
    const session = await before;
    // Another test of this worker may have renewed it already, or be renewing it right now.
    if (this.current !== before || (session && session.authorization !== rejected)) return this.authorization();
    this.renewalCount += 1;
    this.current = this.logIn();
    return (await this.current).authorization;
  }

  private async logIn() {
    this.loginCount += 1;
    const { token, expiresInSeconds } = await this.login();
    return { authorization: `Bearer ${token}`, expiresAt: this.now() + expiresInSeconds * 1000 };
  }
}
