// Allure 3 report of the last run: `npm run report`, then `npm run report:open`. The report is built by
// scripts/build-report.ts, which strips the analytics that Allure's pages load from a third-party host:
// Allure 3 has no setting for them yet, and rejects keys it does not know, so none is set here.
// The scripts add to this config what they learn from the results (scripts/allure-cli.ts): one
// environment per API_ENV the tests ran with (their `environment` label), and for `npm run report:gate`
// the rules of the settings and the history as it was before the run.

// The project's errors start with their category (after the error's name, as Allure shows it):
// "PollWaitError: Readiness timeout: …". Anchored, so that an assertion that merely quotes such a
// message in its expected value is not filed under it.
const failed = ['failed', 'broken'];
// A failure is listed under the operation where the test failed: the wait or call of its label
// `failed operation` (reporters/allure.ts).
const byFailedOperation = [{ label: 'failed operation' }];
const startsWith = (text) => new RegExp(`^(\\w+: )?${text}`);

// A plain object rather than `defineConfig` of the 'allure' package: importing that package runs Allure's
// command line, and scripts/build-report.ts imports this file to learn the views.
/** @type {import('allure').AllureConfig} */
export default {
  name: 'Async API tests',
  output: './allure-report',
  // Git-ignored; keep it between CI runs (see the README) to see trends across runs.
  historyPath: './.history/allure-history.jsonl',
  historyLimit: 50,
  // Two views of one run, each a self-contained index.html that opens from disk, with no server:
  // the tests by business flow, and by the operations they call or await (the labels of
  // reporters/allure.ts). allure-report/index.html links to both.
  plugins: {
    'by-feature': {
      import: '@allurereport/plugin-awesome',
      options: {
        reportName: 'Async API tests by feature',
        reportLanguage: 'en',
        singleFile: true,
        groupBy: ['feature'],
      },
    },
    'by-operation': {
      import: '@allurereport/plugin-awesome',
      options: {
        reportName: 'Async API tests by operation',
        reportLanguage: 'en',
        singleFile: true,
        groupBy: ['operation'],
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
      groupBy: byFailedOperation,
    },
    {
      name: 'Readiness timeout: SLA exceeded',
      matchers: { statuses: failed, message: startsWith('Readiness timeout') },
      groupByMessage: false,
      groupBy: byFailedOperation,
    },
    {
      name: 'Terminal failure reported by the API',
      matchers: { statuses: failed, message: startsWith('Terminal failure reported by the API') },
      groupByMessage: false,
      groupBy: byFailedOperation,
    },
    {
      name: 'Contract violation',
      matchers: [
        { statuses: failed, message: startsWith('Contract violation') },
        { statuses: failed, message: /toMatchSchema\(/ },
      ],
      groupByMessage: false,
      groupBy: byFailedOperation,
    },
    {
      name: 'Unexpected HTTP status',
      matchers: [
        { statuses: failed, message: startsWith('Unexpected HTTP status') },
        { statuses: failed, message: /toHaveStatus\(/ },
      ],
      groupByMessage: false,
      groupBy: byFailedOperation,
    },
    {
      name: 'Push channel broken: bad signature, dropped or silent connection',
      matchers: { statuses: failed, message: startsWith('(Bad webhook signature|Connection dropped|Silent channel)') },
      groupByMessage: false,
      groupBy: byFailedOperation,
    },
  ],
  // Applied by `npm run report:gate` (CI, scripts/quality-gate.ts): no failed or broken test, and the suite
  // did run; the gate adds the rules of the settings on the run's metrics (helpers/reports/gate-rules.ts).
  // A rule of your own on any metric of the Metrics section goes here too, by its key, e.g.
  //   { id: 'login latency', metricMax: { key: 'POST /api/v1/auth/login · latency p95', value: 300 } }
  // A test that passed only on a retry passes the gate, named there as a warning.
  qualityGate: {
    rules: [{ maxFailures: 0, minTestsCount: 1 }],
  },
};
