import { z } from 'zod';

/** The name of the attachment each replayed exchange carries; the replay summary is built from these. */
export const REPLAY_ATTACHMENT = 'replay differences';

const Outcome = z.object({
  endpoint: z.string(),
  differences: z.array(z.object({ path: z.string(), kind: z.string() })),
  noise: z.array(z.object({ path: z.string() })),
});
type Outcome = z.infer<typeof Outcome>;

export type EndpointSummary = {
  endpoint: string;
  replayed: number;
  differing: number;
  differences: number;
  /** Every path that differed, with how often: `status (removed) ×6`. */
  fields: Record<string, number>;
  /** Paths suppressed as noise because two baselines disagreed on them. */
  noise: Record<string, number>;
};

export function outcomesFromAttachments(attachments: ReadonlyArray<{ name: string; body?: Buffer }>): Outcome[] {
  return attachments
    .filter((attachment) => attachment.name === REPLAY_ATTACHMENT && attachment.body)
    .map((attachment) => Outcome.parse(JSON.parse(attachment.body!.toString('utf8'))));
}

export function summarizeReplay(outcomes: readonly Outcome[]): EndpointSummary[] {
  const byEndpoint = new Map<string, Outcome[]>();
  for (const outcome of outcomes)
    byEndpoint.set(outcome.endpoint, [...(byEndpoint.get(outcome.endpoint) ?? []), outcome]);
  const count = (paths: string[]) =>
    paths.reduce<Record<string, number>>((counts, path) => ({ ...counts, [path]: (counts[path] ?? 0) + 1 }), {});
  return [...byEndpoint]
    .map(([endpoint, mine]) => ({
      endpoint,
      replayed: mine.length,
      differing: mine.filter((outcome) => outcome.differences.length > 0).length,
      differences: mine.reduce((sum, outcome) => sum + outcome.differences.length, 0),
      fields: count(mine.flatMap((outcome) => outcome.differences.map((d) => `${d.path} (${d.kind})`))),
      noise: count(mine.flatMap((outcome) => outcome.noise.map((d) => d.path))),
    }))
    .sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}

export function renderReplayMarkdown(summary: readonly EndpointSummary[]): string {
  const list = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([path, times]) => `${path} ×${times}`)
      .join(', ') || '–';
  return [
    '# Replay summary',
    '',
    '| endpoint | replayed | differing | differences | fields | suppressed as noise |',
    '| --- | --- | --- | --- | --- | --- |',
    ...summary.map(
      (row) =>
        `| ${row.endpoint} | ${row.replayed} | ${row.differing} | ${row.differences} | ${list(row.fields)} | ${list(row.noise)} |`,
    ),
    '',
  ].join('\n');
}
