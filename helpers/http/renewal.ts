import type { AuthHeader, AuthSource } from './client';

/**
 * Sends with the source's credential, and after a 401 renews it once and sends again: a session token
 * that expired during a long run is renewed once, never per test; a static token is not sent again, the
 * 401 is the API's answer. A request that brings its own credential (a forged token, say) is sent as it is.
 */
export async function sendWithRenewal<T>(
  auth: AuthSource | undefined,
  ownHeaders: Record<string, string> | undefined,
  send: (header: AuthHeader | undefined, renewed: boolean) => Promise<T>,
  rejected: { isUnauthorized: (answer: T) => boolean; discard?: (answer: T) => Promise<void> },
): Promise<T> {
  const credential = await auth?.header();
  const header = credential && !hasHeader(ownHeaders, credential.name) ? credential : undefined;
  const answer = await send(header, false);
  if (!auth || !header || !rejected.isUnauthorized(answer)) return answer;
  const renewed = await auth.renew(header);
  if (!renewed) return answer;
  await rejected.discard?.(answer);
  return send(renewed, true);
}

export function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  return Object.keys(headers ?? {}).some((key) => key.toLowerCase() === name.toLowerCase());
}
