import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { ReporterRuntime, createDefaultWriter } from 'allure-js-commons/sdk/reporter';
import type { WaitRecord } from '../helpers/readiness';
import {
  type ReadinessSummary,
  recordsFromAttachments,
  renderMarkdown,
  renderSvg,
  renderText,
  summarize,
} from '../helpers/readiness-summary';

type Options = {
  /** Where readiness-summary.json and readiness-summary.md go. */
  outputDir?: string;
  /** The allure-results folder to add the summary to, as global attachments; none when unset. */
  allureResultsDir?: string;
};

/**
 * Collects the record of every readiness wait of the run (the `readiness timeline` attachments,
 * the same ones the tests' steps show) and, at the end, summarises them per operation: printed as
 * a table, written as JSON and Markdown, and attached to the Allure report as a whole.
 */
export default class ReadinessSummaryReporter implements Reporter {
  private readonly records: WaitRecord[] = [];

  constructor(private readonly options: Options = {}) {}

  onTestEnd(_test: TestCase, result: TestResult): void {
    this.records.push(...recordsFromAttachments(result.attachments));
  }

  onEnd(result: FullResult): void {
    if (this.records.length === 0) return;
    const summary = summarize(this.records, result.duration);
    console.log(`\n${renderText(summary)}`);
    const files = {
      'readiness-summary.json': { body: `${JSON.stringify(summary, null, 2)}\n`, contentType: 'application/json' },
      'readiness-summary.md': { body: renderMarkdown(summary), contentType: 'text/markdown' },
      'readiness-summary.svg': { body: renderSvg(summary), contentType: 'image/svg+xml' },
    };
    const outputDir = this.options.outputDir ?? path.join('reports', 'readiness');
    mkdirSync(outputDir, { recursive: true });
    for (const [name, { body }] of Object.entries(files)) writeFileSync(path.join(outputDir, name), body);
    if (this.options.allureResultsDir) this.attachToAllure(this.options.allureResultsDir, files);
  }

  printsToStdio(): boolean {
    return false;
  }

  private attachToAllure(resultsDir: string, files: Record<string, { body: string; contentType: string }>) {
    const runtime = new ReporterRuntime({ writer: createDefaultWriter({ resultsDir }) });
    runtime.applyGlobalRuntimeMessages(
      Object.entries(files).map(([name, { body, contentType }]) => ({
        type: 'global_attachment_content' as const,
        data: { name, content: Buffer.from(body).toString('base64'), encoding: 'base64' as const, contentType },
      })),
    );
  }
}

export type { ReadinessSummary };
