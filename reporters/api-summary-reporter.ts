import path from 'node:path';
import type { FullConfig, FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { type ApiCall, callsFromAttachments } from '../helpers/api-summary/calls';
import { renderMarkdown, renderText } from '../helpers/api-summary/render';
import { summarizeApiCalls } from '../helpers/api-summary/summarize';
import { apiMetrics } from '../helpers/reports/metrics';
import { attachmentsOfProvokedWaits } from '../helpers/reports/provoked';
import { documentOfThisRun } from './openapi-document';
import { envOfThisRun } from './run-settings';
import { addToAllureResults, metricsFileName, runWindow, sampleId, writeSummaryFiles } from './summary-files';

type Options = {
  /** Where api-summary.json and .md go. */
  outputDir?: string;
  /** The allure-results folder to add the summary to, as metrics and a global attachment; none when unset. */
  allureResultsDir?: string;
  /** The OpenAPI document when OPENAPI_DOCUMENT is unset; by default the one api/generated/ was made from. */
  document?: string;
};

/**
 * Collects every API call of the run (the request and response attachments of the client fixtures'
 * steps) and, at the end, summarises them per operation: printed in short, written as JSON and
 * Markdown, and given to the Allure report as performance metrics. The calls of a wait whose failure
 * the test provoked on purpose are counted apart from the failures.
 */
export default class ApiSummaryReporter implements Reporter {
  private readonly calls: ApiCall[] = [];
  private sharded = false;
  private testsEnded = 0;
  // Read while the tests run: a document served by an API the run started is gone at its end.
  private document: ReturnType<typeof documentOfThisRun> | undefined;

  constructor(private readonly options: Options = {}) {}

  onBegin(config: FullConfig): void {
    this.sharded = config.shard !== null;
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    this.testsEnded += 1;
    this.document ??= documentOfThisRun(envOfThisRun(), this.options.document, 'API summary');
    const provoked = attachmentsOfProvokedWaits(result.steps);
    const own = result.attachments.filter((attachment) => !provoked.has(attachment));
    this.calls.push(
      ...callsFromAttachments(own),
      ...callsFromAttachments([...provoked]).map((call) => ({ ...call, provoked: true })),
    );
  }

  async onEnd(result: FullResult): Promise<void> {
    // A run that stopped before any test (an unreachable API, say) leaves the last summary alone.
    if (this.testsEnded === 0) return;
    const env = envOfThisRun();
    const summary = summarizeApiCalls({
      calls: this.calls,
      runDurationMs: result.duration,
      document: await (this.document ?? documentOfThisRun(env, this.options.document, 'API summary')),
      environment: env?.environment,
    });
    const outputDir = this.options.outputDir ?? path.join('reports', 'api');
    if (summary.calls > 0) console.log(`\n${renderText(summary, path.join(outputDir, 'api-summary.md'))}`);
    // Written even when empty: a summary left over from an earlier run would speak for this one.
    const table = { name: 'api-summary.md', body: renderMarkdown(summary), contentType: 'text/markdown' };
    writeSummaryFiles(
      [
        { name: 'api-summary.json', body: `${JSON.stringify(summary, null, 2)}\n`, contentType: 'application/json' },
        table,
      ],
      outputDir,
    );
    // A shard's calls are a part of the run: the whole run's summary goes to Allure when the shards merge.
    if (this.sharded || summary.calls === 0 || !this.options.allureResultsDir) return;
    addToAllureResults(this.options.allureResultsDir, {
      name: metricsFileName('api-metrics', summary.environment),
      metrics: apiMetrics(summary, runWindow(result.startTime, result.duration), sampleId),
      table,
      environment: summary.environment,
    });
  }

  printsToStdio(): boolean {
    return false;
  }
}
