import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ReporterRuntime, createDefaultWriter } from 'allure-js-commons/sdk/reporter';

export type SummaryFile = { name: string; body: string; contentType: string };

/** Writes a run's summary files into a folder and, when given allure-results, as the report's global attachments. */
export function writeSummaryFiles(files: readonly SummaryFile[], outputDir: string, allureResultsDir?: string): void {
  mkdirSync(outputDir, { recursive: true });
  for (const file of files) writeFileSync(path.join(outputDir, file.name), file.body);
  if (!allureResultsDir) return;
  const runtime = new ReporterRuntime({ writer: createDefaultWriter({ resultsDir: allureResultsDir }) });
  runtime.applyGlobalRuntimeMessages(
    files.map(({ name, body, contentType }) => ({
      type: 'global_attachment_content' as const,
      data: { name, content: Buffer.from(body).toString('base64'), encoding: 'base64' as const, contentType },
    })),
  );
}
