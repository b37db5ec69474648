// Allure 3 report of the last run: `npm run report`, then `npm run report:open`.
import { defineConfig } from 'allure';

// Failures are grouped by the first line of their message; the project's errors start with these.
const failed = ['failed', 'broken'];

export default defineConfig({
  name: 'Async API tests',
  output: './allure-report',
  // Git-ignored; keep it between CI runs (see the README) to see trends across runs.
  historyPath: './.history/allure-history.jsonl',
  historyLimit: 50,
  plugins: {
    awesome: {
      options: {
        reportName: 'Async API tests',
        reportLanguage: 'en',
        // One self-contained index.html: it opens from disk, with no server, and travels as one file.
        singleFile: true,
      },
    },
  },
  categories: [
    { name: 'Flaky: passed only on a retry', matchers: { flaky: true } },
    {
      name: 'Target unreachable',
      matchers: {
        statuses: failed,
        message:
          /API under test is unreachable|Probe failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|socket hang up/,
      },
    },
    { name: 'Readiness timeout: SLA exceeded', matchers: { statuses: failed, message: /Readiness timeout/ } },
    {
      name: 'Terminal failure reported by the API',
      matchers: { statuses: failed, message: /Terminal failure reported by the API/ },
    },
    {
      name: 'Contract violation',
      matchers: { statuses: failed, message: /Contract violation|does not match the schema/ },
    },
    { name: 'Unexpected HTTP status', matchers: { statuses: failed, message: /Unexpected HTTP status/ } },
  ],
  // Applied by `npm run report:gate` (CI): no failed or broken test, and the suite did run.
  qualityGate: {
    rules: [{ maxFailures: 0, minTestsCount: 1 }],
  },
});
