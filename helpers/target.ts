/** Sends one GET and resolves to the HTTP status; rejects when there is no HTTP answer at all. */
export type StatusProbe = (url: string) => Promise<number>;

const NETWORK_REASONS: ReadonlyArray<[RegExp, string]> = [
  [/ECONNREFUSED/, 'connection refused (nothing listens there)'],
  [/ENOTFOUND|EAI_AGAIN/, 'host name not found'],
  [/ECONNRESET|socket hang up/, 'connection reset'],
  [/Timeout \d+ms exceeded|ETIMEDOUT/, 'no response in time'],
  [/CERT|certificate/i, 'TLS certificate rejected'],
];

/** What went wrong reaching the API under test, in words a person can act on; null when it answers 2xx. */
export async function describeUnreachableTarget(healthUrl: string, probe: StatusProbe): Promise<string | null> {
  let status: number;
  try {
    status = await probe(healthUrl);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const reason = NETWORK_REASONS.find(([pattern]) => pattern.test(message))?.[1];
    return `${healthUrl} did not answer: ${reason ?? firstLine(message)}`;
  }
  if (status >= 200 && status < 300) return null;
  return `${healthUrl} answered HTTP ${status} instead of 2xx`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
