// Checks that the readiness summary of the last run says what the tests' own Allure steps say.
// Usage: npm run report:check   (after npx playwright test; exits 1 on any difference, and when there
// is nothing to compare: no summary, no test result, or fewer wait steps than the summary claims)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ReadinessSummary } from '../helpers/readiness/summary';
import { compareSummaryWithSteps, nothingToCheck, waitStepsOf } from '../helpers/readiness/summary-check';

const resultsDir = process.argv[2] ?? 'allure-results';
const summaryFile = process.argv[3] ?? path.join('reports', 'readiness', 'readiness-summary.json');

function fail(line: string): never {
  console.error(line);
  process.exit(1);
}

if (!existsSync(summaryFile))
  fail(`No readiness summary at ${summaryFile}: run the tests first (npx playwright test).`);
const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as ReadinessSummary;
if (!existsSync(resultsDir)) fail(`No ${resultsDir} folder: run the tests first (npx playwright test).`);
const resultFiles = readdirSync(resultsDir).filter((file) => file.endsWith('-result.json'));
const steps = resultFiles.flatMap((file) =>
  waitStepsOf(JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as object),
);

const reason = nothingToCheck(summary, resultFiles.length, steps.length);
if (reason) fail(`Cannot check the readiness summary (${summaryFile}): ${resultsDir} ${reason}.`);

const differences = compareSummaryWithSteps(summary, steps);
if (differences.length > 0) {
  console.error(`The readiness summary (${summaryFile}) disagrees with the steps in ${resultsDir}:`);
  for (const difference of differences) console.error(`  ${difference}`);
  process.exit(1);
}
const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
console.log(
  `Readiness summary matches the Allure steps: ${count(steps.length, 'wait')} of ${count(summary.operations.length, 'operation')}.`,
);
