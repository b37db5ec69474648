import { z } from 'zod';

// Allure's history (allurerc.mjs `historyPath`): one JSON line per report built. Building the report
// of a run appends the run's own point; a rule that compares a metric with "the previous run" must
// then be given the history without it, or it compares the run with itself.

const Point = z.object({
  testResults: z.record(z.string(), z.object({ name: z.string().optional(), start: z.number().optional() })),
});

export type RunResult = { name?: string | undefined; start?: number | undefined };

/**
 * The history as it was before this run: its lines without the points built from these results, known
 * by a test result of the same name that started at the same millisecond. Other lines stay as they are.
 */
export function historyBeforeRun(historyText: string, results: readonly RunResult[]): string {
  const ofThisRun = new Set(results.flatMap((result) => (result.start === undefined ? [] : [identity(result)])));
  return historyText
    .split('\n')
    .filter((line) => line.trim() !== '' && !isPointOf(line, ofThisRun))
    .map((line) => `${line}\n`)
    .join('');
}

function isPointOf(line: string, ofThisRun: ReadonlySet<string>): boolean {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return false;
  }
  const point = Point.safeParse(json);
  return point.success && Object.values(point.data.testResults).some((result) => ofThisRun.has(identity(result)));
}

function identity(result: RunResult): string {
  return `${result.start}\u0000${result.name ?? ''}`;
}
