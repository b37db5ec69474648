import type { CompareRules } from './compare';

export type RecordRules = {
  /** Methods recorded as reads; other methods are writes. */
  readMethods: readonly string[];
  /** Path globs (`*` one segment, `**` any) a recorded request must match, and must not. */
  include: readonly string[];
  exclude: readonly string[];
  /** Writes that are safe to replay on a test environment (`POST /path/glob`), recorded with the reads
   *  so that a replay can create what the later reads look at. None unless listed. */
  writes: readonly string[];
  /** Which clients are recorded: their requests can be replayed with the same role elsewhere. */
  identities: readonly string[];
  /** Share of tests whose exchanges are recorded (a test is recorded whole or not at all). */
  sampleRate: number;
};

export type EndpointRules = CompareRules & {
  /** Response fields holding ids that the replay must carry over to later requests (`taskId`). */
  capture?: readonly string[];
};

export type ReplayConfig = {
  record: RecordRules;
  /** Rules for every endpoint, merged with the rules of the endpoint (`GET /reports/:id`). */
  compare: { default: EndpointRules; endpoints: Readonly<Record<string, EndpointRules>> };
};

export function defineReplayConfig(config: ReplayConfig): ReplayConfig {
  return config;
}

/** `/api/**`, `/reports/*`: `*` matches one path segment, `**` any number of them. */
export function globMatcher(globs: readonly string[]): (path: string) => boolean {
  const regexes = globs.map(
    (glob) =>
      new RegExp(
        `^${glob
          .split(/(\*\*|\*)/)
          .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]+' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
          .join('')}$`,
      ),
  );
  return (path) => regexes.some((regex) => regex.test(path.split('?')[0]!));
}

/** The compare rules of a request: the defaults, plus those of the first endpoint template it matches. */
export function rulesFor(config: ReplayConfig, method: string, path: string): EndpointRules {
  const endpoint = Object.entries(config.compare.endpoints).find(([template]) =>
    endpointMatches(template, method, path),
  );
  const specific = endpoint?.[1] ?? {};
  const defaults = config.compare.default;
  return {
    ignore: [...(defaults.ignore ?? []), ...(specific.ignore ?? [])],
    unordered: [...(defaults.unordered ?? []), ...(specific.unordered ?? [])],
    tolerance: { ...defaults.tolerance, ...specific.tolerance },
    capture: [...(defaults.capture ?? []), ...(specific.capture ?? [])],
  };
}

/** `GET /reports/:id` matches `GET /reports/rep_42?x=1`. */
export function endpointMatches(template: string, method: string, path: string): boolean {
  const [templateMethod, templatePath = ''] = template.split(' ');
  if (templateMethod !== method) return false;
  const pattern = templatePath.replace(/:[^/]+/g, '*');
  return globMatcher([pattern])(path);
}

/** The endpoint template a request belongs to, for summaries; the path itself when none matches. */
export function endpointOf(config: ReplayConfig, method: string, path: string): string {
  const template = Object.keys(config.compare.endpoints).find((candidate) => endpointMatches(candidate, method, path));
  return template ?? `${method} ${path.split('?')[0]}`;
}
