import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { jsonOrText } from '../contracts/body';
import type { AttemptRecord, PollWaitRecord, ReadinessHistory } from './wait';

/** Git-ignored, relative to the project: what each operation usually takes, learned across runs. */
export const READINESS_HISTORY_FILE = path.join('.history', 'readiness.jsonl');

// How many recent waits of an operation are kept and learned from.
export const HISTORY_LIMIT = 200;

// ---------------------------------------------------------------------------------------------
// What a wait teaches

/** When something happened, as far as a wait can tell: after `fromMs` and by `toMs`, from its start. */
export type Bracket = { fromMs: number; toMs: number };

/** A not-ready phase a wait saw its subject in (`queued`, `processing`…), as its classifier named it. */
export type PhaseVisit = {
  phase: string;
  entered: Bracket;
  /** Undefined while the subject is still in it. */
  left: Bracket | undefined;
  /** The place in a queue that the first answer in this phase gave, when the classifier read one. */
  queuePosition: number | undefined;
};

/**
 * What one ready wait teaches about its operation: when it was ready and the phases it went through,
 * each a bracket between two answers, never a rounded time: a wait that polled once a second (to
 * honour a coarse Retry-After) says it was ready within that second, no more.
 */
export type PastWait = { ready: Bracket; phases: PhaseVisit[] };

const answeredAt = (attempt: AttemptRecord) => Math.round(attempt.startedAtMs + attempt.latencyMs);

/**
 * The phases a wait's answers showed, in order: a run of answers in one phase is one visit, entered
 * between the answer before it and its first one, and left between its last one and the next answer.
 * A first phase is taken to start with the wait: a wait starts when its operation does.
 */
export function phaseVisits(timeline: readonly AttemptRecord[]): PhaseVisit[] {
  const answered = timeline.filter((attempt) => attempt.verdict !== 'error');
  const visits: PhaseVisit[] = [];
  answered.forEach((attempt, index) => {
    const previous = answered[index - 1];
    const current = visits.at(-1);
    if (current && current.left === undefined && attempt.phase === current.phase) return;
    if (current && current.left === undefined)
      current.left = { fromMs: answeredAt(previous!), toMs: answeredAt(attempt) };
    if (attempt.verdict !== 'not-ready' || attempt.phase === undefined) return;
    visits.push({
      phase: attempt.phase,
      entered: previous ? { fromMs: answeredAt(previous), toMs: answeredAt(attempt) } : { fromMs: 0, toMs: 0 },
      left: undefined,
      queuePosition: attempt.queuePosition,
    });
  });
  return visits;
}

/** What a ready wait teaches; undefined for a wait that was not ready. */
export function pastWaitOf(record: Pick<PollWaitRecord, 'outcome' | 'bracket' | 'timeline'>): PastWait | undefined {
  const { lastNotReadyMs, firstReadyMs } = record.bracket;
  if (record.outcome !== 'ready' || firstReadyMs === undefined) return undefined;
  return { ready: { fromMs: lastNotReadyMs ?? 0, toMs: firstReadyMs }, phases: phaseVisits(record.timeline) };
}

// ---------------------------------------------------------------------------------------------
// Where it is kept

export class InMemoryHistory implements ReadinessHistory {
  private readonly waits = new Map<string, PastWait[]>();

  constructor(private readonly limit = HISTORY_LIMIT) {}

  pastWaits(operation: string): readonly PastWait[] {
    return this.waits.get(operation) ?? [];
  }

  recordWait(operation: string, wait: PastWait): void {
    this.waits.set(operation, [...this.pastWaits(operation), wait].slice(-this.limit));
  }
}

const BracketLine = z.object({ fromMs: z.number().nonnegative(), toMs: z.number().nonnegative() });
const Line = z.union([
  z.object({
    target: z.string(),
    operation: z.string(),
    at: z.string(),
    ready: BracketLine,
    phases: z.array(
      z.object({
        phase: z.string(),
        entered: BracketLine,
        left: BracketLine,
        queuePosition: z.number().positive().optional(),
      }),
    ),
  }),
  // Written before phases were learned: the middle of the bracket only.
  z
    .object({ target: z.string(), operation: z.string(), ms: z.number().nonnegative(), at: z.string() })
    .transform(({ ms, ...line }) => ({ ...line, ready: { fromMs: ms, toMs: ms }, phases: [] })),
]);
type Line = z.infer<typeof Line>;

const pastWaitOfLine = (line: Line): PastWait => ({
  ready: line.ready,
  phases: line.phases.map((visit) => ({ ...visit, queuePosition: visit.queuePosition })),
});

/**
 * Past waits kept in a JSON-lines file, per target and operation: every worker of a run appends to it
 * and reads what the others learned, and the next run starts from it. Appends of one short line are
 * atomic, so workers need no lock; `compact` trims the file between runs.
 */
export class FileHistory implements ReadinessHistory {
  private cache: { stamp: string; lines: Line[] } | undefined;

  constructor(
    private readonly file: string,
    private readonly target: string,
    private readonly limit = HISTORY_LIMIT,
  ) {}

  pastWaits(operation: string): readonly PastWait[] {
    return this.lines()
      .filter((line) => line.target === this.target && line.operation === operation)
      .slice(-this.limit)
      .map(pastWaitOfLine);
  }

  recordWait(operation: string, wait: PastWait): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const line = { target: this.target, operation, at: new Date().toISOString(), ...wait };
    appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  private lines(): Line[] {
    if (!existsSync(this.file)) return [];
    const { mtimeMs, size } = statSync(this.file);
    const stamp = `${mtimeMs}:${size}`;
    if (this.cache?.stamp !== stamp) this.cache = { stamp, lines: readLines(this.file) };
    return this.cache.lines;
  }
}

/** Keeps the last `limit` lines of every target and operation. Call it while no worker runs. */
export function compactHistory(file: string, limit = HISTORY_LIMIT): void {
  if (!existsSync(file)) return;
  const kept = new Map<string, string[]>();
  for (const { line, text } of readLinesWithText(file)) {
    const key = `${line.target}\n${line.operation}`;
    kept.set(key, [...(kept.get(key) ?? []), text].slice(-limit));
  }
  writeFileSync(
    file,
    [...kept.values()]
      .flat()
      .map((text) => `${text}\n`)
      .join(''),
  );
}

function readLines(file: string): Line[] {
  return readLinesWithText(file).map(({ line }) => line);
}

// A damaged line (say, from a crash mid-write) is skipped, not fatal: the history is only a hint.
function readLinesWithText(file: string): Array<{ line: Line; text: string }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text) => {
      const line = text ? Line.safeParse(jsonOrText(text)) : undefined;
      return line?.success ? [{ line: line.data, text }] : [];
    });
}
