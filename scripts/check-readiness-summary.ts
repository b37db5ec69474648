// Checks that the readiness summary of the last run says what the tests' own Allure steps say.
// Usage: npm run report:check   (after npx playwright test; exits 1 on any difference)
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ReadinessSummary } from '../helpers/readiness/summary';
import { compareSummaryWithSteps, waitStepsOf } from '../helpers/readiness/summary-check';

const resultsDir = process.argv[2] ?? 'allure-results';
const summaryFile = process.argv[3] ?? path.join('reports', 'readiness', 'readiness-summary.json');

const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as ReadinessSummary;
const steps = readdirSync(resultsDir)
  .filter((file) => file.endsWith('-result.json'))
  .flatMap((file) => waitStepsOf(JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as object));

const differences = compareSummaryWithSteps(summary, steps);
if (differences.length > 0) {
  console.error(`The readiness summary (${summaryFile}) disagrees with the steps in ${resultsDir}:`);
  for (const difference of differences) console.error(`  ${difference}`);
  process.exit(1);
}
console.log(
  `Readiness summary matches the Allure steps: ${steps.length} waits of ${summary.operations.length} operations.`,
);
