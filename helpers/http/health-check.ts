import { EnvError } from '../env';
import { firstLine } from '../wait/format';

/** Sends one GET and resolves to the HTTP status; rejects when there is no HTTP answer at all. */
export type StatusProbe = (url: string) => Promise<number>;

const NETWORK_REASONS: ReadonlyArray<[RegExp, string]> = [
  [/ECONNREFUSED/, 'connection refused (nothing listens there)'],
  [/ENOTFOUND|EAI_AGAIN/, 'host name not found'],
  [/ECONNRESET|socket hang up/, 'connection reset'],
  [/Timeout \d+ms exceeded|ETIMEDOUT/, 'no response in time'],
  [/CERT|certificate/i, 'TLS certificate rejected'],
];

/**
 * What went wrong reaching the API under test, in words a person can act on, naming the setting to
 * look at; null when the health path answers 2xx. The health path is asked without credentials.
 */
export async function describeUnreachableTarget(healthUrl: string, probe: StatusProbe): Promise<string | null> {
  let status: number;
  try {
    status = await probe(healthUrl);
  } catch (error) {
    // A missing or malformed setting is not an unreachable API: it comes out as itself, naming the key.
    if (error instanceof EnvError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const reason = NETWORK_REASONS.find(([pattern]) => pattern.test(message))?.[1];
    return `${healthUrl} did not answer: ${reason ?? firstLine(message)}.`;
  }
  if (status >= 200 && status < 300) return null;
  if (status === 401 || status === 403) {
    return `${healthUrl} answered HTTP ${status}: HEALTH_PATH must be a route that answers without credentials.`;
  }
  if (status === 404) return `${healthUrl} answered HTTP 404: check HEALTH_PATH (and the path part of BASE_URL).`;
  return `${healthUrl} answered HTTP ${status} instead of 2xx (HEALTH_PATH).`;
}

/**
 * Whether a server that answered is the embedded API it should be, by the product its Server header
 * names (`my-api` or `my-api/1.2.0`): null when it is; otherwise what it answered instead.
 */
export function describeOtherServer(answer: { status: number; server: string | undefined }, identity: string) {
  const product = answer.server?.split('/', 1)[0]?.trim();
  if (product === identity) return null;
  const as = answer.server === undefined ? 'without a Server header' : `as ${JSON.stringify(answer.server)}`;
  return `answered HTTP ${answer.status} ${as}, not as ${identity}`;
}
