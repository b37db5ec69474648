import path from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import {
  type SummarizedRecord,
  recordsFromAttachments,
  renderMarkdown,
  renderText,
  summarize,
} from '../helpers/readiness/summary';
import { readinessMetrics } from '../helpers/reports/metrics';
import { envOfThisRun } from './run-settings';
import { addToAllureResults, metricsFileName, runWindow, sampleId, writeSummaryFiles } from './summary-files';

type Options = {
  /** Where readiness-summary.json and readiness-summary.md go. */
  outputDir?: string;
  /** The allure-results folder to add the summary to, as metrics and a global attachment; none when unset. */
  allureResultsDir?: string;
};

/**
 * Collects the record of every readiness wait of the run (the `readiness timeline` attachments,
 * the same ones the tests' steps show) and, at the end, summarises them per operation: printed in
 * short, written as JSON and Markdown, and given to the Allure report as performance metrics.
 */
export default class ReadinessSummaryReporter implements Reporter {
  private readonly records: SummarizedRecord[] = [];
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
    const environment = envOfThisRun()?.environment;
    const summary = summarize(this.records, result.duration, { environment });
    const markdown = path.join(this.outputDir(), 'readiness-summary.md');
    if (summary.waits > 0) console.log(`\n${renderText(summary, markdown)}`);
    // Written even when empty: a summary left over from an earlier run would speak for this one.
    const table = { name: 'readiness-summary.md', body: renderMarkdown(summary), contentType: 'text/markdown' };
    writeSummaryFiles(
      [
        {
          name: 'readiness-summary.json',
          body: `${JSON.stringify(summary, null, 2)}\n`,
          contentType: 'application/json',
        },
        table,
      ],
      this.outputDir(),
    );
    // A shard's summary covers a part of the run; the whole run's goes to Allure when the shards merge.
    if (this.sharded || summary.waits === 0 || !this.options.allureResultsDir) return;
    addToAllureResults(this.options.allureResultsDir, {
      name: metricsFileName('readiness-metrics', summary.environment),
      metrics: readinessMetrics(summary, runWindow(result.startTime, result.duration), sampleId),
      table,
      environment: summary.environment,
    });
  }

  private outputDir(): string {
    return this.options.outputDir ?? path.join('reports', 'readiness');
  }

  printsToStdio(): boolean {
    return false;
  }
}
