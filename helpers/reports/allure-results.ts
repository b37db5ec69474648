import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

// What the scripts read back from allure-results folders: the test results and the metric keys.

export type ResultFile = {
  name?: string;
  fullName?: string;
  historyId?: string;
  status?: string;
  start?: number;
  statusDetails?: { flaky?: boolean };
  labels?: Array<{ name: string; value?: string }>;
};

function filesOf(dirs: readonly string[], suffix: string): string[] {
  return dirs.flatMap((dir) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((file) => file.endsWith(suffix))
          .map((file) => path.join(dir, file))
      : [],
  );
}

export function readTestResults(dirs: readonly string[]): ResultFile[] {
  return filesOf(dirs, '-result.json').map((file) => JSON.parse(readFileSync(file, 'utf8')) as ResultFile);
}

/** The keys of the performance metrics in the folders' `*-perf.json` files, each once. */
export function readMetricKeys(dirs: readonly string[]): string[] {
  const keys = filesOf(dirs, '-perf.json').flatMap((file) => {
    const samples = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(samples)
      ? samples.flatMap((sample: { key?: unknown }) => (typeof sample.key === 'string' ? [sample.key] : []))
      : [];
  });
  return [...new Set(keys)];
}
