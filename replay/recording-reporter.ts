import { rmSync } from 'node:fs';
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { readEnv } from '../helpers/env';
import { exchangesFromAttachments } from '../helpers/http/exchange-report';
import { Recorder } from '../helpers/replay/recording';
import { Redactor } from '../helpers/secrets/redactor';
import { replayRules } from './rules';
import { replaySettings } from './settings';

/**
 * Records a suite run for a later replay (`npm run record`): the exchanges the client fixtures
 * attached to each test's report, already redacted, filtered by replay/rules.ts, one JSON line each.
 */
export default class RecordingReporter implements Reporter {
  private readonly file = replaySettings(readEnv()).recording;
  private readonly recorder = new Recorder(this.file, replayRules.record, knowingTheSettings(new Redactor()));
  private started = false;

  onTestEnd(test: TestCase, result: TestResult): void {
    // Each recording starts its file afresh: two runs' exchanges would replay as one.
    if (!this.started) rmSync(this.file, { force: true });
    this.started = true;
    const session = {
      session: `${test.id}#${test.repeatEachIndex}.${result.retry}`,
      title: test.titlePath().slice(3).join(' › '),
    };
    exchangesFromAttachments(result.attachments).forEach((exchange, index) =>
      this.recorder.record(exchange, session, index + 1),
    );
  }

  printsToStdio(): boolean {
    return false;
  }
}

// The attachments are redacted already; this only makes sure no secret setting slips into the file.
function knowingTheSettings(redactor: Redactor): Redactor {
  redactor.addSecret(...readEnv().secrets);
  return redactor;
}
