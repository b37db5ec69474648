// The CI gate on the last run (`npm run report:gate`): Allure's quality gate (allurerc.mjs: no failed
// or broken test, and the suite did run) fails the build; tests that passed only on a retry are named
// as a warning and do not fail it, for a retry that hides a problem should be seen, not block a merge.
// Usage: npm run report:gate [allure-results]
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

type AllureResult = {
  name?: string;
  fullName?: string;
  historyId?: string;
  status?: string;
  start?: number;
  statusDetails?: { flaky?: boolean };
};

const resultsDir = process.argv[2] ?? 'allure-results';

/** The tests whose last attempt passed after an earlier one failed: their names, each once. */
export function flakyTests(results: readonly AllureResult[]): string[] {
  const attemptsByTest = new Map<string, AllureResult[]>();
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

function readResults(dir: string): AllureResult[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('-result.json'))
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as AllureResult);
}

function runGate(): void {
  const allure = path.join('node_modules', 'allure', 'cli.js');
  // Node 20 lacks a method that `allure quality-gate` calls; the shim adds it (see the file).
  const shim = path.join(__dirname, 'iterator-helpers.cjs');
  const gate = spawnSync(process.execPath, ['--require', shim, allure, 'quality-gate', resultsDir], {
    stdio: 'inherit',
  });

  const flaky = flakyTests(readResults(resultsDir));
  if (flaky.length > 0) {
    console.warn(`Warning: ${flaky.length} flaky ${flaky.length === 1 ? 'test' : 'tests'}, passed only on a retry:`);
    for (const name of flaky) {
      console.warn(`  ${name}`);
      // An annotation on the workflow run, where the log alone would go unread.
      if (process.env['GITHUB_ACTIONS'] === 'true') console.log(`::warning title=Flaky test::${name}`);
    }
  }
  if (gate.status !== 0) {
    console.error(`Quality gate failed on ${resultsDir} (allure quality-gate exited ${gate.status ?? gate.signal}).`);
    process.exit(gate.status ?? 1);
  }
  console.log(`Quality gate passed on ${resultsDir}${flaky.length > 0 ? ', with the flaky tests above' : ''}.`);
}

if (require.main === module) runGate();
