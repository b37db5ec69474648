import path from 'node:path';
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { outcomesFromAttachments, renderReplayMarkdown, summarizeReplay } from '../helpers/replay/summary';
import { writeSummaryFiles } from './summary-files';

type Options = { outputDir?: string; allureResultsDir?: string };

/** After a replay: per endpoint, how many exchanges differed from the baseline, and in which fields. */
export default class ReplaySummaryReporter implements Reporter {
  private readonly outcomes: ReturnType<typeof outcomesFromAttachments> = [];

  constructor(private readonly options: Options = {}) {}

  onTestEnd(_test: TestCase, result: TestResult): void {
    // The last attempt of a test speaks for it; a retry replays the same exchange again.
    this.outcomes.push(...outcomesFromAttachments(result.attachments));
  }

  onEnd(): void {
    if (this.outcomes.length === 0) return;
    const summary = summarizeReplay(this.outcomes);
    const markdown = renderReplayMarkdown(summary);
    console.log(`\n${markdown}`);
    writeSummaryFiles(
      [
        { name: 'replay-summary.json', body: `${JSON.stringify(summary, null, 2)}\n`, contentType: 'application/json' },
        { name: 'replay-summary.md', body: markdown, contentType: 'text/markdown' },
      ],
      this.options.outputDir ?? path.join('reports', 'replay'),
      this.options.allureResultsDir,
    );
  }

  printsToStdio(): boolean {
    return false;
  }
}
