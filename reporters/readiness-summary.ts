import path from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import type { WaitRecord } from '../helpers/readiness';
import { recordsFromAttachments, renderMarkdown, renderSvg, renderText, summarize } from '../helpers/readiness-summary';
import { writeSummaryFiles } from './summary-files';

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
  private sharded = false;

  constructor(private readonly options: Options = {}) {}

  onBegin(config: FullConfig): void {
    this.sharded = config.shard !== null;
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    this.records.push(...recordsFromAttachments(result.attachments));
  }

  onEnd(result: FullResult): void {
    if (this.records.length === 0) return;
    const summary = summarize(this.records, result.duration);
    console.log(`\n${renderText(summary)}`);
    writeSummaryFiles(
      [
        {
          name: 'readiness-summary.json',
          body: `${JSON.stringify(summary, null, 2)}\n`,
          contentType: 'application/json',
        },
        { name: 'readiness-summary.md', body: renderMarkdown(summary), contentType: 'text/markdown' },
        { name: 'readiness-summary.svg', body: renderSvg(summary), contentType: 'image/svg+xml' },
      ],
      this.options.outputDir ?? path.join('reports', 'readiness'),
      // A shard's summary covers a part of the run; the whole run's is attached when the shards merge.
      this.sharded ? undefined : this.options.allureResultsDir,
    );
  }

  printsToStdio(): boolean {
    return false;
  }
}
