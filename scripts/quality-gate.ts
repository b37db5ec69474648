// The CI gate on the last run (`npm run report:gate [allure-results folders…]`): Allure's own quality
// gate, with allurerc.mjs's rules (no failed or broken test, and the suite did run) and the rules of
// the settings on the run's performance metrics (GATE_…, API_COVERAGE_MIN, API_REQUIRED_OPERATIONS;
// helpers/reports/gate-rules.ts). A rule on the change since the previous run is checked against the
// history as it was before this run: building the report appends the run's own point to it. Tests
// that passed only on a retry are named as a warning and do not fail the gate, for a retry that hides a
// problem should be seen, not block a merge.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EnvError, readEnv } from '../helpers/env';
import { historyBeforeRun } from '../helpers/reports/allure-history';
import { environmentsOf } from '../helpers/reports/allure-config';
import { type ResultFile, readMetricKeys, readTestResults } from '../helpers/reports/allure-results';
import { type RuleSet, gateRules } from '../helpers/reports/gate-rules';
import { gateSettings } from '../helpers/settings/gate';
import { count } from '../helpers/reports/text-lines';
import { loadSettings } from '../setup/settings';
import { runAllure, withScratchDir } from './allure-cli';

const resultsDirs = process.argv.length > 2 ? process.argv.slice(2) : ['allure-results'];
// allurerc.mjs's `historyPath` (importing allurerc.mjs would start Allure's command line).
export const HISTORY_FILE = path.join('.history', 'allure-history.jsonl');

/** The tests whose last attempt passed after an earlier one failed: their names, each once. */
export function flakyTests(results: readonly ResultFile[]): string[] {
  const attemptsByTest = new Map<string, ResultFile[]>();
  for (const result of results) {
    const test = result.historyId ?? result.fullName ?? result.name ?? '';
    attemptsByTest.set(test, [...(attemptsByTest.get(test) ?? []), result]);
  }
  return [...attemptsByTest.values()].flatMap((attempts) => {
    const sorted = attempts.toSorted((a, b) => (a.start ?? 0) - (b.start ?? 0));
    const last = sorted.at(-1)!;
    const failedBefore = sorted
      .slice(0, -1)
      .some((attempt) => attempt.status === 'failed' || attempt.status === 'broken');
    const flaky = last.status === 'passed' && (failedBefore || last.statusDetails?.flaky === true);
    return flaky ? [last.fullName ?? last.name ?? 'a test without a name'] : [];
  });
}

function rulesOfSettings(): RuleSet[] {
  try {
    loadSettings();
    return gateRules(gateSettings(readEnv()), readMetricKeys(resultsDirs));
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

/** The history file, as it was before the run of these results. */
function historyBefore(results: readonly ResultFile[]): string {
  return existsSync(HISTORY_FILE) ? historyBeforeRun(readFileSync(HISTORY_FILE, 'utf8'), results) : '';
}

function runGate(): void {
  const rules = rulesOfSettings();
  const results = readTestResults(resultsDirs);
  const history = historyBefore(results);
  const gate = withScratchDir((scratch) => {
    const historyPath = path.join(scratch, 'history.jsonl');
    writeFileSync(historyPath, history);
    // Its own output and history: the gate leaves the built report and the history as they are.
    const overrides = { historyPath, appendHistory: false, output: path.join(scratch, 'report') };
    return runAllure('quality-gate', resultsDirs, { environments: environmentsOf(results), overrides, rules });
  });

  const flaky = flakyTests(results);
  if (flaky.length > 0) {
    console.warn(`Warning: ${count(flaky.length, 'flaky test')}, passed only on a retry:`);
    for (const name of flaky) {
      console.warn(`  ${name}`);
      // An annotation on the workflow run, where the log alone would go unread.
      if (process.env['GITHUB_ACTIONS'] === 'true') console.log(`::warning title=Flaky test::${name}`);
    }
  }
  const where = resultsDirs.join(' ');
  const checked =
    rules.length === 0
      ? "allurerc.mjs's rules"
      : `allurerc.mjs's rules and ${count(rules.length, 'rule')} of the settings`;
  if (gate.status !== 0) {
    console.error(`Quality gate failed on ${where} (allure quality-gate exited ${gate.status ?? gate.signal}).`);
    process.exit(gate.status || 1);
  }
  console.log(`Quality gate passed on ${where} (${checked})${flaky.length > 0 ? ', with the flaky tests above' : ''}.`);
}

if (require.main === module) runGate();
