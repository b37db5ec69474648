import path from 'node:path';
import type { FullConfig, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { outcomesFromAttachments, renderReplayMarkdown, summarizeReplay } from '../helpers/replay/summary';
import { writeSummaryFiles } from '../reporters/summary-files';

type Options = { outputDir?: string; allureResultsDir?: string };

/** After a replay: per endpoint, how many exchanges differed from the baseline, and in which fields. */
export default class ReplaySummaryReporter implements Reporter {
  private readonly outcomesByTest = new Map<string, ReturnType<typeof outcomesFromAttachments>>();
  private sharded = false;

  constructor(private readonly options: Options = {}) {}

  onBegin(config: FullConfig): void {
    this.sharded = config.shard !== null;
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    // The last attempt of a test speaks for it; a retry replays the same exchange again.
    this.outcomesByTest.set(test.id, outcomesFromAttachments(result.attachments));
  }

  onEnd(): void {
    const outcomes = [...this.outcomesByTest.values()].flat();
    if (outcomes.length === 0) return;
    const summary = summarizeReplay(outcomes);
    const markdown = renderReplayMarkdown(summary);
    console.log(`\n${markdown}`);
    writeSummaryFiles(
      [
        { name: 'replay-summary.json', body: `${JSON.stringify(summary, null, 2)}\n`, contentType: 'application/json' },
        { name: 'replay-summary.md', body: markdown, contentType: 'text/markdown' },
      ],
      this.options.outputDir ?? path.join('reports', 'replay'),
      this.sharded ? undefined : this.options.allureResultsDir,
    );
  }

  printsToStdio(): boolean {
    return false;
  }
}
