import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { jsonOrText } from '../contracts/body';
import type { ReadinessHistory } from './wait';

/** Git-ignored, relative to the project: what each operation usually takes, learned across runs. */
export const READINESS_HISTORY_FILE = path.join('.history', 'readiness.jsonl');

// How many recent times to ready of an operation are kept and learned from.
export const HISTORY_LIMIT = 200;

export class InMemoryHistory implements ReadinessHistory {
  private readonly samples = new Map<string, number[]>();

  constructor(private readonly limit = HISTORY_LIMIT) {}

  timesToReadyMs(operation: string): readonly number[] {
    return this.samples.get(operation) ?? [];
  }

  recordTimeToReady(operation: string, ms: number): void {
    const samples = [...this.timesToReadyMs(operation), ms].slice(-this.limit);
    this.samples.set(operation, samples);
  }
}

const Line = z.object({ target: z.string(), operation: z.string(), ms: z.number().nonnegative(), at: z.string() });
type Line = z.infer<typeof Line>;

/**
 * Times to ready kept in a JSON-lines file, per target and operation: every worker of a run appends
 * to it and reads what the others learned, and the next run starts from it. Appends of one short
 * line are atomic, so workers need no lock; `compact` trims the file between runs.
 */
export class FileHistory implements ReadinessHistory {
  private cache: { stamp: string; lines: Line[] } | undefined;

  constructor(
    private readonly file: string,
    private readonly target: string,
    private readonly limit = HISTORY_LIMIT,
  ) {}

  timesToReadyMs(operation: string): readonly number[] {
    return this.lines()
      .filter((line) => line.target === this.target && line.operation === operation)
      .slice(-this.limit)
      .map((line) => line.ms);
  }

  recordTimeToReady(operation: string, ms: number): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const line: Line = { target: this.target, operation, ms, at: new Date().toISOString() };
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
  const kept = new Map<string, Line[]>();
  for (const line of readLines(file)) {
    const key = `${line.target}\n${line.operation}`;
    kept.set(key, [...(kept.get(key) ?? []), line].slice(-limit));
  }
  writeFileSync(
    file,
    [...kept.values()]
      .flat()
      .map((line) => `${JSON.stringify(line)}\n`)
      .join(''),
  );
}

// A damaged line (say, from a crash mid-write) is skipped, not fatal: the history is only a hint.
function readLines(file: string): Line[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((text) => {
      const line = text ? Line.safeParse(jsonOrText(text)) : undefined;
      return line?.success ? [line.data] : [];
    });
}
