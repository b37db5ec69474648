// Checks that every API call's step in allure-results lasts as long as the call (at least 90 % of
// the latency in its title, `GET /x → 200 (38 ms)`, less 1 ms for the rounding of both) and holds
// the call's request and response.
// Usage: npm run report:check   (after npx playwright test)
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { resultsWithUnpairedExchanges, shortApiSteps } from '../helpers/reports/api-steps';

const resultsDir = process.argv[2] ?? 'allure-results';
const results = readdirSync(resultsDir).filter((file) => file.endsWith('-result.json'));
const parsed = results.map((file) => JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8')) as object);
const { steps, short } = shortApiSteps(parsed);
if (steps === 0) {
  console.error(`No API call steps in ${resultsDir}: run the suite first.`);
  process.exit(1);
}
if (short.length > 0) {
  console.error(`${short.length} of ${steps} API steps in ${resultsDir} last less than their call:`);
  for (const step of short.slice(0, 20)) console.error(`  ${step.name}: the step lasts ${step.durationMs} ms`);
  process.exit(1);
}
const unpaired = resultsWithUnpairedExchanges(parsed);
if (unpaired.length > 0) {
  console.error(`${unpaired.length} tests in ${resultsDir} do not attach each call's request and response as one:`);
  for (const { name, calls, exchanges } of unpaired.slice(0, 20)) {
    console.error(`  ${name}: ${calls} calls, ${exchanges} attached`);
  }
  process.exit(1);
}
console.log(
  `API steps match their calls: ${steps} steps in ${resultsDir} last at least 90 % of their latency and have their request and response attached.`,
);
