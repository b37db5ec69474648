import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { scanPaths } from '../../helpers/secrets/scan-files';
import { startEchoApi } from './leak-run/echo-api';

const execute = promisify(execFile);
const root = path.join(__dirname, '..', '..');
const playwright = require.resolve('@playwright/test/cli');
const allure = path.join(root, 'node_modules', 'allure', 'cli.js');
// Assembled at run time: the check's own source shows in the failing specs' error contexts.
const credentials = {
  username: 'probe@example.test',
  password: ['probe', 'pass', 'Q7v2x'].join('-'),
  partnerKey: ['partner', 'key', '8Hd3Lq'].join('-'),
  clientId: 'probe-service',
  clientSecret: ['client', 'secret', 'Vb4Tn6'].join('-'),
};

/** Runs node, and answers what it printed, whether it succeeded or not. */
async function node(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  return execute(process.execPath, args, { ...options, maxBuffer: 64 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

// A third-party-like API that repeats the credential it was sent: a token a password login or an
// OAuth grant issued during the run, or a static key; and hands out a webhook secret. Sixteen specs
// fail on its answers in the ordinary ways, with the suite's reporters, a blob and a JSON report; the
// blob is merged and the Allure report built, as on CI. Then no secret may be anywhere: not in clear,
// encoded, archived or split by colour codes, and no unkeyed hash of one. The project's own scan must
// agree, and find what is planted afterwards.
test('no secret of the run reaches any report or the terminal, however its specs fail', async ({}, testInfo) => {
  test.setTimeout(300_000);
  const api = await startEchoApi(credentials);
  const output = testInfo.outputPath('leak-run');
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? output,
    OUTPUT_DIR: output,
    BASE_URL: api.url,
    ROLES: 'user,partner,service',
    AUTH: 'password',
    LOGIN_PATH: '/login',
    USER_USERNAME: credentials.username,
    USER_PASSWORD: credentials.password,
    PARTNER_AUTH: 'token',
    PARTNER_TOKEN: credentials.partnerKey,
    PARTNER_AUTH_HEADER: 'X-Api-Key',
    PARTNER_AUTH_SCHEME: '',
    SERVICE_AUTH: 'client-credentials',
    OAUTH_TOKEN_URL: '/oauth/token',
    SERVICE_CLIENT_ID: credentials.clientId,
    SERVICE_CLIENT_SECRET: credentials.clientSecret,
    // Set, so that a SECRET_SCAN_KEY in a local .env does not key the scan otherwise than the run.
    SECRET_SCAN_KEY: '',
  };
  try {
    const run = await node([playwright, 'test', '-c', 'checks/reporting/leak-run/leaks.config.ts'], { cwd: root, env });
    const merge = await node(
      [playwright, 'merge-reports', '--config', path.join(root, 'merge.config.ts'), 'blob-report'],
      {
        cwd: output,
        env: { ...env, PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(output, 'merged-report') },
      },
    );
    const allureConfig = path.join(root, 'allurerc.mjs');
    const report = await node([allure, 'generate', 'allure-results', '--config', allureConfig, '--cwd', output], {
      cwd: output,
      env,
    });
    const terminal = path.join(output, 'terminal.txt');
    writeFileSync(terminal, [run, merge, report].map(({ stdout, stderr }) => stdout + stderr).join('\n'));

    expect(run.stdout).toContain('16 failed');
    expect(run.stdout).toContain('1 error was not a part of any test');
    expect(merge.code).toBe(0);
    expect(report.code).toBe(0);
    const written = ['test-results', 'playwright-report', 'blob-report', 'merged-report', 'allure-results'];
    const alsoWritten = ['allure-report', '.history', 'reports', 'results.json'];
    expect([...written, ...alsoWritten].filter((entry) => !existsSync(path.join(output, entry)))).toEqual([]);
    // Tokens issued to the run's logins and grants, and a webhook secret: secrets it only learnt as it ran.
    expect(api.issuedTokens.filter((token) => token.startsWith('tok-live-')).length).toBeGreaterThan(1);
    expect(api.issuedTokens.filter((token) => token.startsWith('oat-')).length).toBeGreaterThan(0);
    expect(api.issuedTokens.filter((token) => token.startsWith('whsec_'))).toHaveLength(1);

    const secrets = [credentials.password, credentials.partnerKey, credentials.clientSecret, ...api.issuedTokens];
    const inClear = secrets.map((value, index) => ({ name: `secret ${index}`, value }));
    expect(scanPaths([output], { values: inClear }).leaks).toEqual([]);
    const hashes = secrets.flatMap((value, index) =>
      (['hex', 'base64'] as const).map((encoding) => ({
        name: `the SHA-256 of secret ${index}`,
        value: createHash('sha256').update(value).digest(encoding),
      })),
    );
    expect(scanPaths([output], { values: hashes }).leaks).toEqual([]);

    // The project's scan knows the settings, and the run's tokens only by their keyed fingerprints.
    const scan = await node(['--import', 'tsx', 'scripts/scan-secrets.ts', output], { cwd: root, env });
    expect(scan.stderr).toBe('');
    expect(scan.stdout).toMatch(
      /^Secret scan: no secrets in \d+ files in .*; \d+ secret settings, [1-9]\d* secrets of the run/,
    );
    // The failures still say what went wrong.
    expect(run.stdout).toContain('Expected: "tok-live-expected"');
    expect(run.stdout).toContain('Received: "[REDACTED]"');
    expect(run.stdout).toContain('answered 502');

    // The control: a static key in clear, and a token of the run in base64 at an odd offset.
    const inTestResults = path.join(output, 'test-results', 'planted.txt');
    const inAllureReport = path.join(output, 'allure-report', 'index.html');
    appendFileSync(inTestResults, `key ${credentials.partnerKey}\n`);
    const encoded = Buffer.from(`:${api.issuedTokens[0]} `).toString('base64');
    appendFileSync(inAllureReport, `<script>d("planted","${encoded}")</script>\n`);
    const planted = await node(['--import', 'tsx', 'scripts/scan-secrets.ts', output], { cwd: root, env });
    expect(planted.code).toBe(1);
    expect(planted.stderr).toMatch(/^Secret scan: 2 findings in /);
    expect(planted.stderr).toContain(`${inTestResults}: the value of PARTNER_TOKEN, in clear`);
    expect(planted.stderr).toContain(`${inAllureReport}: a secret of the run, base64`);
    // As the merge job sees a run, without test-results/: the blob report carries the fingerprints.
    const merged = ['blob-report', 'allure-report'].map((dir) => path.join(output, dir));
    const mergeJob = await node(['--import', 'tsx', 'scripts/scan-secrets.ts', ...merged], { cwd: root, env });
    expect(mergeJob.stderr).toMatch(/^Secret scan: 1 finding in .*, [1-9]\d* secrets of the run/);
    expect(mergeJob.stderr).toContain(`${inAllureReport}: a secret of the run, base64`);
  } finally {
    await api.close();
  }
});
