import type { Redactor } from '../secrets/redactor';
import { type ComparedResponse, type Difference, compareResponses, withoutNoise } from './compare';
import type { RecordedExchange } from './recording';
import { type ReplayConfig, endpointOf, rulesFor } from './rules';

export type ReplayRequest = Pick<RecordedExchange, 'identity' | 'method' | 'path' | 'headers' | 'body'>;

/** An environment to replay against: it sends a request as the given identity. */
export type ReplayTarget = { name: string; send(request: ReplayRequest): Promise<ComparedResponse> };

export type ReplayOutcome = {
  endpoint: string;
  /** The recorded request, as it was recorded. */
  request: { method: string; path: string };
  /** What the candidate is compared with: the recorded response, or the baseline's live one. */
  baseline: ComparedResponse;
  candidate: ComparedResponse;
  /** What differs and no rule explains: the regressions. */
  differences: Difference[];
  /** What also differed between two baselines, and is therefore not reported. */
  noise: Difference[];
};

export type ReplayOptions = {
  config: ReplayConfig;
  /** Every recorded exchange of the test, in order; the writes among them are replayed first. */
  session: readonly RecordedExchange[];
  exchange: RecordedExchange;
  candidate: ReplayTarget;
  /** Live mode: the baseline answers now, instead of the recording. */
  baseline?: ReplayTarget | undefined;
  /** Noise cancellation: a second baseline; whatever differs between the two baselines is noise. */
  secondBaseline?: ReplayTarget | undefined;
  redactor: Redactor;
};

/** Replays one recorded exchange (after the writes before it in its test) and compares the answers. */
export async function replayExchange(options: ReplayOptions): Promise<ReplayOutcome> {
  const { config, exchange } = options;
  const rules = rulesFor(config, exchange.method, exchange.path);
  const run = (target: ReplayTarget) => replayOn(target, options);
  const [baseline, candidate, secondBaseline] = await Promise.all([
    options.baseline ? run(options.baseline) : Promise.resolve(exchange.response),
    run(options.candidate),
    options.secondBaseline ? run(options.secondBaseline) : Promise.resolve(undefined),
  ]);
  const found = compareResponses(baseline, candidate, rules);
  const noise = secondBaseline ? compareResponses(baseline, secondBaseline, rules) : [];
  const differences = withoutNoise(found, noise);
  return {
    endpoint: endpointOf(config, exchange.method, exchange.path),
    request: { method: exchange.method, path: exchange.path },
    baseline,
    candidate,
    differences,
    noise: found.filter((difference) => !differences.includes(difference)),
  };
}

async function replayOn(target: ReplayTarget, { config, session, exchange, redactor }: ReplayOptions) {
  // Ids the target generated in place of the recorded ones (a task id, say), carried into later requests.
  const captured = new Map<string, string>();
  for (const write of session.filter((earlier) => earlier.write && earlier.sequence < exchange.sequence)) {
    const response = await target.send(substitute(write, captured));
    for (const path of rulesFor(config, write.method, write.path).capture ?? []) {
      const recorded = valueAt(write.response.body, path);
      const replayed = valueAt(response.body, path);
      if (typeof recorded === 'string' && typeof replayed === 'string') captured.set(recorded, replayed);
    }
  }
  const response = await target.send(substitute(exchange, captured));
  // Compared with a redacted recording, so redacted the same way.
  return { status: response.status, body: redactor.json(response.body) };
}

function substitute(request: ReplayRequest, captured: ReadonlyMap<string, string>): ReplayRequest {
  if (captured.size === 0) return request;
  const replace = (text: string) => [...captured].reduce((result, [from, to]) => result.replaceAll(from, to), text);
  return {
    ...request,
    path: replace(request.path),
    ...(request.body === undefined ? {} : { body: JSON.parse(replace(JSON.stringify(request.body))) as unknown }),
  };
}

function valueAt(body: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | null)?.[key], body);
}

/** The differences of one exchange as lines for a failure message. */
export function describeDifferences(outcome: Pick<ReplayOutcome, 'differences' | 'request'>): string {
  const exchange = outcome.request;
  const show = (value: unknown) => (value === undefined ? '(absent)' : JSON.stringify(value));
  const lines = outcome.differences.map(
    (difference) =>
      `  ${difference.path}: ${difference.kind}, baseline ${show(difference.baseline)}, candidate ${show(difference.candidate)}`,
  );
  return [`${exchange.method} ${exchange.path} differs from the baseline in ${lines.length} place(s):`, ...lines].join(
    '\n',
  );
}
