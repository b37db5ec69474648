import path from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import type { WaitRecord } from '../helpers/readiness/wait';
import { recordsFromAttachments, renderMarkdown, renderSvg, renderText, summarize } from '../helpers/readiness/summary';
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
  private testsEnded = 0;

  constructor(private readonly options: Options = {}) {}

  onBegin(config: FullConfig): void {
    this.sharded = config.shard !== null;
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    this.testsEnded += 1;
    this.records.push(...recordsFromAttachments(result.attachments));
  }

  onEnd(result: FullResult): void {
    // A run that stopped before any test (an unreachable API, say) leaves the last summary alone.
    if (this.testsEnded === 0) {
      console.log(
        `Readiness summary not written: no test ran (run ${result.status}); ${this.outputDir()} keeps the last one.`,
      );
      return;
    }
    const summary = summarize(this.records, result.duration);
    if (summary.waits > 0) console.log(`\n${renderText(summary)}`);
    // Written even when empty: a summary left over from an earlier run would speak for this one.
    const files = [
      {
        name: 'readiness-summary.json',
        body: `${JSON.stringify(summary, null, 2)}\n`,
        contentType: 'application/json',
      },
      { name: 'readiness-summary.md', body: renderMarkdown(summary), contentType: 'text/markdown' },
      { name: 'readiness-summary.svg', body: renderSvg(summary), contentType: 'image/svg+xml' },
    ];
    // A shard's summary covers a part of the run; the whole run's is attached when the shards merge.
    const attachTo = this.sharded || summary.waits === 0 ? undefined : this.options.allureResultsDir;
    writeSummaryFiles(files, this.outputDir(), attachTo);
  }

  private outputDir(): string {
    return this.options.outputDir ?? path.join('reports', 'readiness');
  }

  printsToStdio(): boolean {
    return false;
  }
}
