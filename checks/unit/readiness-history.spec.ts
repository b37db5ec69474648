import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileHistory, type PastWait, compactHistory, phaseVisits } from '../../helpers/readiness/history';
import type { AttemptRecord } from '../../helpers/readiness/wait';
import { expect, test } from '../../fixtures';

const TARGET = 'http://api.test';

function inTempDir(body: (file: string) => void) {
  const dir = mkdtempSync(path.join(tmpdir(), 'history-'));
  try {
    body(path.join(dir, 'readiness.jsonl'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const attempt = (
  startedAtMs: number,
  verdict: AttemptRecord['verdict'],
  phase?: string,
  queuePosition?: number,
): AttemptRecord => ({
  number: 0,
  startedAtMs,
  latencyMs: 10,
  waitedMs: 0,
  basis: 'learned',
  httpStatus: 200,
  observed: '',
  verdict,
  retryAfterMs: undefined,
  phase,
  queuePosition,
});

test('the phases of a wait: entered and left between two answers, the first one with the wait', () => {
  const visits = phaseVisits([
    attempt(0, 'not-ready', 'queued', 3),
    attempt(500, 'not-ready', 'queued', 1),
    attempt(1_000, 'not-ready', 'processing'),
    attempt(1_500, 'ready'),
  ]);
  expect(visits).toEqual([
    { phase: 'queued', entered: { fromMs: 0, toMs: 0 }, left: { fromMs: 510, toMs: 1_010 }, queuePosition: 3 },
    {
      phase: 'processing',
      entered: { fromMs: 510, toMs: 1_010 },
      left: { fromMs: 1_010, toMs: 1_510 },
      queuePosition: undefined,
    },
  ]);
  // Without phases named by the classifier there is nothing to learn per phase.
  expect(phaseVisits([attempt(0, 'not-ready'), attempt(500, 'ready')])).toEqual([]);
  // The phase the subject is still in has not been left.
  expect(phaseVisits([attempt(0, 'not-ready', 'queued')])[0]?.left).toBeUndefined();
});

test('the history file keeps what each wait taught, per target and operation, and reads older lines too', () => {
  inTempDir((file) => {
    const past: PastWait = {
      ready: { fromMs: 1_200, toMs: 1_450 },
      phases: [
        { phase: 'queued', entered: { fromMs: 0, toMs: 0 }, left: { fromMs: 700, toMs: 950 }, queuePosition: 4 },
        {
          phase: 'processing',
          entered: { fromMs: 700, toMs: 950 },
          left: { fromMs: 1_200, toMs: 1_450 },
          queuePosition: undefined,
        },
      ],
    };
    new FileHistory(file, TARGET).recordWait('image generation', past);
    new FileHistory(file, 'http://other.test').recordWait('image generation', past);
    // A line written before phases were learned, and one damaged by a crash mid-write.
    appendFileSync(
      file,
      `${JSON.stringify({ target: TARGET, operation: 'image generation', ms: 900, at: 'x' })}\n{"target`,
    );

    const history = new FileHistory(file, TARGET);
    expect(history.pastWaits('image generation')).toEqual([past, { ready: { fromMs: 900, toMs: 900 }, phases: [] }]);
    expect(history.pastWaits('asset provisioning')).toEqual([]);
  });
});

test('compacting keeps the last waits of every target and operation, as they were written', () => {
  inTempDir((file) => {
    const line = (ms: number, operation = 'image generation') =>
      JSON.stringify({ target: TARGET, operation, at: 'x', ready: { fromMs: ms, toMs: ms }, phases: [] });
    writeFileSync(file, [line(1), line(2), line(3), line(7, 'export'), 'not json', ''].join('\n'));
    compactHistory(file, 2);
    expect(readFileSync(file, 'utf8')).toBe([line(2), line(3), line(7, 'export'), ''].join('\n'));
  });
});
