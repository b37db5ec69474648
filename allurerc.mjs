// Allure 3 report of the last run: `npm run report`, then `npm run report:open`. The report is built by
// scripts/build-report.ts, which strips the analytics that Allure's pages load from a third-party host:
// Allure 3 has no setting for them yet, and rejects keys it does not know, so none is set here.
import { defineConfig } from 'allure';

// The project's errors start with their category (after the error's name, as Allure shows it):
// "ReadinessError: Readiness timeout: …". Anchored, so that an assertion that merely quotes such a
// message in its expected value is not filed under it.
const failed = ['failed', 'broken'];
const startsWith = (text) => new RegExp(`^(\\w+: )?${text}`);

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
  // Messages hold task ids and bodies, all different: tests are listed under their category directly.
  categories: [
    // Only tests that passed on a retry: Allure also calls a test flaky when its history alternates,
    // and a failure should be filed under its cause.
    { name: 'Flaky: passed only on a retry', matchers: { flaky: true, statuses: ['passed'] }, groupByMessage: false },
    {
      name: 'Target unreachable',
      matchers: [
        { statuses: failed, message: startsWith('(The API under test is unreachable|Probe failed)') },
        { statuses: failed, message: /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|socket hang up/ },
      ],
      groupByMessage: false,
    },
    {
      name: 'Readiness timeout: SLA exceeded',
      matchers: { statuses: failed, message: startsWith('Readiness timeout') },
      groupByMessage: false,
    },
    {
      name: 'Terminal failure reported by the API',
      matchers: { statuses: failed, message: startsWith('Terminal failure reported by the API') },
      groupByMessage: false,
    },
    {
      name: 'Contract violation',
      matchers: [
        { statuses: failed, message: startsWith('Contract violation') },
        { statuses: failed, message: /toMatchSchema\(/ },
      ],
      groupByMessage: false,
    },
    {
      name: 'Unexpected HTTP status',
      matchers: [
        { statuses: failed, message: startsWith('Unexpected HTTP status') },
        { statuses: failed, message: /toHaveStatus\(/ },
      ],
      groupByMessage: false,
    },
    {
      name: 'Push channel broken: bad signature or dropped connection',
      matchers: { statuses: failed, message: startsWith('(Bad webhook signature|Connection dropped)') },
      groupByMessage: false,
    },
  ],
  // Applied by `npm run report:gate` (CI, scripts/quality-gate.ts): no failed or broken test, and the suite
  // did run. A test that passed only on a retry passes the gate, named there as a warning.
  qualityGate: {
    rules: [{ maxFailures: 0, minTestsCount: 1 }],
  },
});
