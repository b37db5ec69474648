import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MetricSample, RunWindow } from '../helpers/reports/metrics';

export type SummaryFile = { name: string; body: string; contentType: string };

/** Writes a run's summary files into a folder and, when given allure-results, as the report's global attachments. */
export function writeSummaryFiles(files: readonly SummaryFile[], outputDir: string, allureResultsDir?: string): void {
  mkdirSync(outputDir, { recursive: true });
  for (const file of files) writeFileSync(path.join(outputDir, file.name), file.body);
  if (allureResultsDir) attachGlobally(allureResultsDir, files);
}

/**
 * Adds a whole run's summary to allure-results: its figures as performance metrics, which the report's
 * Metrics section shows and compares with the previous run, and its table as a global attachment,
 * the detail Allure has no place for.
 */
export function addToAllureResults(
  allureResultsDir: string,
  {
    name,
    metrics,
    table,
    environment,
  }: { name: string; metrics: readonly MetricSample[]; table: SummaryFile; environment: string | null },
): void {
  mkdirSync(allureResultsDir, { recursive: true });
  // One file per summary and environment: runs of several environments share the results folder.
  writeFileSync(path.join(allureResultsDir, `${name}-perf.json`), `${JSON.stringify(metrics, null, 2)}\n`);
  attachGlobally(allureResultsDir, [table], environment);
}

// Allure's globals file: attachments of the whole run, each of the environment it names (the store
// files one without an environment under a `default` one, which would then show beside the others).
function attachGlobally(allureResultsDir: string, files: readonly SummaryFile[], environment?: string | null): void {
  mkdirSync(allureResultsDir, { recursive: true });
  const attachments = files.map(({ name, body, contentType }) => {
    const source = `${randomUUID()}-attachment.${EXTENSIONS[contentType] ?? 'txt'}`;
    writeFileSync(path.join(allureResultsDir, source), body);
    return { name, source, type: contentType, timestamp: Date.now(), ...(environment ? { environment } : {}) };
  });
  writeFileSync(
    path.join(allureResultsDir, `${randomUUID()}-globals.json`),
    JSON.stringify({ attachments, errors: [] }),
  );
}

const EXTENSIONS: Record<string, string> = { 'application/json': 'json', 'text/markdown': 'md' };

/** The file name of a summary's metrics: `readiness-metrics`, `readiness-metrics-staging`. */
export function metricsFileName(summary: string, environment: string | null): string {
  return environment ? `${summary}-${environment}` : summary;
}

/** A whole run's time window, for the metric samples; and fresh sample ids. */
export function runWindow(startTime: Date, durationMs: number): RunWindow {
  const start = startTime.getTime();
  return { start, stop: start + Math.round(durationMs) };
}

export const sampleId = (): string => randomUUID();
