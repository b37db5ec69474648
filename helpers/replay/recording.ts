import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { jsonOrText } from '../contracts/body';
import type { ReportedExchange } from '../http/exchange-report';
import { REDACTED, type Redactor } from '../secrets/redactor';
import { type RecordRules, globMatcher } from './rules';

/** One line of a recording: a request without its secrets, and the response it got. */
export const RecordedExchange = z.object({
  /** The test that made the request (its id, repetition and retry): requests replay in its order. */
  session: z.string(),
  title: z.string(),
  sequence: z.int().nonnegative(),
  /** Who sent it: a role (`user`, `admin`) or `anonymous`; the replay signs in as the same role. */
  identity: z.string(),
  method: z.string(),
  path: z.string(),
  headers: z.record(z.string(), z.string()),
  body: z.unknown().optional(),
  write: z.boolean(),
  response: z.object({ status: z.int(), body: z.unknown() }),
  recordedAt: z.string(),
});
export type RecordedExchange = z.infer<typeof RecordedExchange>;

// Headers worth replaying: content negotiation and the API's own x- headers, never credentials.
const REPLAYED_HEADER = /^(content-type|accept|x-.*)$/i;

export type SessionInfo = { session: string; title: string };

/** Decides what is recorded and writes it, one JSON line per exchange, secrets redacted. */
export class Recorder {
  private readonly included: (path: string) => boolean;
  private readonly excluded: (path: string) => boolean;
  private readonly writes: Array<{ method: string; matches: (path: string) => boolean }>;

  constructor(
    private readonly file: string,
    private readonly rules: RecordRules,
    private readonly redactor: Redactor,
  ) {
    this.included = globMatcher(rules.include);
    this.excluded = globMatcher(rules.exclude);
    this.writes = rules.writes.map((write) => {
      const [method = '', glob = ''] = write.split(' ');
      return { method, matches: globMatcher([glob]) };
    });
  }

  /** Whether a test's exchanges are recorded at all: the same answer for the whole test. */
  sampled(session: string): boolean {
    return (
      Number.parseInt(createHash('sha256').update(session).digest('hex').slice(0, 8), 16) / 2 ** 32 <
      this.rules.sampleRate
    );
  }

  shouldRecord(method: string, requestPath: string, identity: string): boolean {
    if (!this.rules.identities.includes(identity)) return false;
    if (!this.included(requestPath) || this.excluded(requestPath)) return false;
    return this.isRead(method) || this.isReplayableWrite(method, requestPath);
  }

  record(exchange: ReportedExchange, info: SessionInfo, sequence: number): void {
    if (!exchange.response || !this.sampled(info.session)) return;
    // The opening of an event stream or a WebSocket: a plain request would not open it again.
    if (exchange.channel) return;
    if (!this.shouldRecord(exchange.method, exchange.path, exchange.identity)) return;
    const redactedHeaders = Object.entries(this.redactor.headers(exchange.headers));
    // A request that brought its own credentials (a forged token, say) cannot be replayed without them.
    const ownCredentials = redactedHeaders.some(([, value]) => value === REDACTED);
    if (exchange.identity === 'anonymous' && ownCredentials) return;
    // Only JSON bodies are recorded as they were sent; a binary or malformed one is not replayable.
    if (typeof exchange.body === 'string') return;
    const headers = Object.fromEntries(
      redactedHeaders.filter(([name, value]) => REPLAYED_HEADER.test(name) && !value.includes(REDACTED)),
    );
    const line: RecordedExchange = {
      ...info,
      identity: exchange.identity,
      sequence,
      method: exchange.method,
      path: exchange.path,
      headers,
      ...(exchange.body === undefined ? {} : { body: this.redactor.json(exchange.body) }),
      write: !this.isRead(exchange.method),
      response: { status: exchange.response.status, body: this.redactor.json(exchange.response.body) },
      recordedAt: exchange.startedAt,
    };
    mkdirSync(path.dirname(this.file), { recursive: true });
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  private isRead(method: string): boolean {
    return this.rules.readMethods.includes(method);
  }

  private isReplayableWrite(method: string, requestPath: string): boolean {
    return this.writes.some((write) => write.method === method && write.matches(requestPath));
  }
}

/** The recorded tests, each with its exchanges in the order they were made. */
export function readRecording(file: string): Map<string, RecordedExchange[]> {
  if (!existsSync(file))
    throw new Error(`No recording at ${file}: record one first with \`npm run record\` (docs/replay.md).`);
  const sessions = new Map<string, RecordedExchange[]>();
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .forEach((line, index) => {
      const parsed = RecordedExchange.safeParse(jsonOrText(line));
      if (!parsed.success)
        throw new Error(`${file}, line ${index + 1}: not a recorded exchange: ${z.prettifyError(parsed.error)}`);
      sessions.set(parsed.data.session, [...(sessions.get(parsed.data.session) ?? []), parsed.data]);
    });
  for (const exchanges of sessions.values()) exchanges.sort((a, b) => a.sequence - b.sequence);
  return sessions;
}
