// The CI gate on the API summary of the last run: API_COVERAGE_MIN and API_REQUIRED_OPERATIONS.
// Usage: tsx scripts/api-gate.ts [summary file, default reports/api/api-summary.json]   (exits 1 on a miss)
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { EnvError, readEnv } from '../helpers/env';
import { type ApiSummary, apiGateSettings, gateMisses } from '../helpers/reports/api-summary';
import { loadSettings } from '../setup/settings';

loadSettings();

function gateOrExit() {
  try {
    return apiGateSettings(readEnv());
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    process.exit(2);
  }
}

const gate = gateOrExit();
const summaryFile = process.argv[2] ?? path.join('reports', 'api', 'api-summary.json');

if (gate.coverageMin === undefined && gate.requiredOperations.length === 0) {
  console.log('API gate: neither API_COVERAGE_MIN nor API_REQUIRED_OPERATIONS is set; nothing to check.');
  process.exit(0);
}
if (!existsSync(summaryFile)) {
  console.error(`API gate: no API summary at ${summaryFile}; run the suite first (npx playwright test).`);
  process.exit(1);
}

const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as ApiSummary;
const misses = gateMisses(summary, gate);
if (misses.length > 0) {
  for (const miss of misses) console.error(miss);
  process.exit(1);
}
const checked = [
  ...(gate.coverageMin === undefined
    ? []
    : [`coverage ${summary.coverage?.ratio} ≥ ${gate.coverageMin} (API_COVERAGE_MIN)`]),
  ...(gate.requiredOperations.length === 0
    ? []
    : [
        `${gate.requiredOperations.length} of ${gate.requiredOperations.length} required operations answered (API_REQUIRED_OPERATIONS)`,
      ]),
];
console.log(`API gate passed: ${checked.join(', ')}.`);
