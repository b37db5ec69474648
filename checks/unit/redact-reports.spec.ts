import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { FullConfig, Suite, TestCase, TestResult, TestStep } from '@playwright/test/reporter';
import { REDACTED, Redactor } from '../../helpers/secrets/redactor';
import { RELAY_KEY_VARIABLE, isSealedSecret, newRelayKey, sealSecret, unsealSecret } from '../../helpers/secrets/relay';
import { ReportRedaction } from '../../helpers/secrets/report-redaction';
import { parseEnv } from '../../helpers/env';
import { fingerprint, fingerprintKey } from '../../helpers/secrets/fingerprints';
import { findLeaks } from '../../helpers/secrets/scan';
import RedactingReporter from '../../reporters/redacting-reporter';
import { expect, test } from '../../fixtures';

// Assembled at run time: written out whole, a fake secret in this file would show in the reports'
// code excerpts and set off the secret scan.
const token = ['tok', 'live', 'Qw7Zr2Lm9XvB'].join('-');

function knowing(...secrets: string[]) {
  const redactor = new Redactor();
  redactor.addSecret(...secrets);
  return new ReportRedaction(redactor);
}

type Noted = Array<{ event: string; seen: string }>;

/**
 * A redacting reporter as the runner makes it, in front of one that notes what it is shown, and the
 * run key it gave the workers; `close` ends the run and answers what was noted.
 */
function redactingReporter() {
  const log = `redaction-log-${test.info().testId}`;
  const relayBefore = process.env[RELAY_KEY_VARIABLE];
  const reporter = new RedactingReporter({
    reporters: [[path.join(__dirname, 'redact-reports-inner.ts'), { log }]],
    configDir: __dirname,
    _mode: 'test',
  });
  const relayKey = process.env[RELAY_KEY_VARIABLE]!;
  // The key is this reporter's: later tests of this worker must not seal with it.
  if (relayBefore === undefined) delete process.env[RELAY_KEY_VARIABLE];
  else process.env[RELAY_KEY_VARIABLE] = relayBefore;
  const close = async (status: 'passed' | 'failed') => {
    await reporter.onEnd({ status } as Parameters<RedactingReporter['onEnd']>[0]);
    return (globalThis as unknown as Record<string, Noted>)[log]!;
  };
  return { reporter, relayKey, close };
}

function testResult(fields: Partial<TestResult> = {}): TestResult {
  return {
    errors: [],
    annotations: [],
    attachments: [],
    steps: [],
    stdout: [],
    stderr: [],
    ...fields,
  } as unknown as TestResult;
}

test('a sealed secret opens only with the run key, and shows nothing of the secret', () => {
  const key = newRelayKey();
  const sealed = sealSecret(key, token);
  expect(isSealedSecret(sealed)).toBe(true);
  expect(unsealSecret(key, sealed)).toBe(token);
  expect(unsealSecret(newRelayKey(), sealed)).toBeUndefined();
  expect(isSealedSecret(`echo ${token}`)).toBe(false);
  expect(findLeaks('sealed', Buffer.from(sealed), { values: [{ name: 'token', value: token }] })).toEqual([]);
});

test('errors, with their causes, steps and annotations are redacted in place', () => {
  const redaction = knowing(token);
  const error = { message: `got ${token}`, stack: `Error: got ${token}\n    at x`, cause: { message: token } };
  const parent = {
    title: `log in with ${token}`,
    titlePath: () => [`log in with ${token}`],
    annotations: [],
    attachments: [],
    steps: [],
  } as unknown as TestStep;
  const step = {
    title: `call ${token}`,
    parent,
    titlePath: () => [],
    params: { url: `/x?token=${token}`, nested: [token] },
    error,
    annotations: [{ type: 'echo', description: token }],
    attachments: [],
    steps: [],
  } as unknown as TestStep;
  redaction.step(parent);
  redaction.step(step);
  expect(JSON.stringify([step, error])).not.toContain(token);
  expect(step.titlePath()).toEqual([`log in with ${REDACTED}`, `call ${REDACTED}`]);
});

test('attachments are redacted where they are: a body, a file, and the base64 inside an Allure message', () => {
  const dir = test.info().outputPath('attachments');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'echo.json');
  writeFileSync(file, JSON.stringify({ you_sent: token }));
  const allureMessage = {
    type: 'attachment_content',
    data: {
      name: 'echo',
      content: Buffer.from(`echo ${token}`).toString('base64'),
      encoding: 'base64',
      contentType: 'text/plain',
    },
  };
  const result = testResult({
    attachments: [
      { name: `body ${token}`, contentType: 'text/plain', body: Buffer.from(`echo ${token}`) },
      { name: 'file', contentType: 'application/json', path: file },
      {
        name: 'allure',
        contentType: 'application/vnd.allure.message+json',
        body: Buffer.from(JSON.stringify(allureMessage)),
      },
      { name: 'image', contentType: 'image/png', body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1]) },
    ],
  });
  knowing(token).result(result);
  const [body, onDisk, message, image] = result.attachments;
  expect(body?.name).toBe(`body ${REDACTED}`);
  expect(body?.body?.toString()).toBe(`echo ${REDACTED}`);
  expect(readFileSync(file, 'utf8')).toBe(JSON.stringify({ you_sent: REDACTED }));
  expect(onDisk?.path).toBe(file);
  const content = (JSON.parse(message!.body!.toString()) as typeof allureMessage).data.content;
  expect(Buffer.from(content, 'base64').toString()).toBe(`echo ${REDACTED}`);
  expect(image?.body).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1]));
});

test('an output folder named after a title with a secret is renamed, its attachments follow; other files are redacted at the end', () => {
  const outputDir = test.info().outputPath('test-results');
  const folder = path.join(outputDir, `spec-a-title-${token}`);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'error-context.md'), `Received: "${token}"`);
  writeFileSync(path.join(folder, 'unattached.txt'), token);
  const redaction = knowing(token);
  const testCase = { title: `a title ${token}`, annotations: [] } as unknown as TestCase;
  redaction.test(testCase);
  const result = testResult({
    attachments: [{ name: 'error-context', contentType: 'text/markdown', path: path.join(folder, 'error-context.md') }],
  });
  redaction.outputFolder(testCase, result, [outputDir]);
  redaction.result(result);
  const renamed = path.join(outputDir, 'spec-a-title-REDACTED');
  expect(readdirSync(outputDir)).toEqual(['spec-a-title-REDACTED']);
  expect(result.attachments[0]?.path).toBe(path.join(renamed, 'error-context.md'));
  expect(readFileSync(path.join(renamed, 'error-context.md'), 'utf8')).toBe(`Received: "${REDACTED}"`);
  expect(readFileSync(path.join(renamed, 'unattached.txt'), 'utf8')).toBe(token);
  redaction.folder(outputDir);
  expect(readFileSync(path.join(renamed, 'unattached.txt'), 'utf8')).toBe(REDACTED);
});

test('a secret a worker learns reaches the redaction before its output and its failure reach any reporter', async () => {
  const { reporter, relayKey, close } = redactingReporter();
  const outputDir = test.info().outputPath('run');
  reporter.onConfigure({ projects: [{ outputDir }], shard: null } as unknown as FullConfig);
  const testCase = { title: 'a login', annotations: [] } as unknown as TestCase;
  reporter.onBegin({ title: '', suites: [], tests: [testCase] } as unknown as Suite);
  const result = testResult();
  // As the dispatcher does: the chunk is captured, then reported. The worker sealed what it learnt...
  const sealed = sealSecret(relayKey, token);
  result.stdout.push(sealed);
  reporter.onStdOut(sealed, testCase, result);
  // ... and then printed it, named a step after it and failed with it.
  const printed = `echo ${token}\n`;
  result.stdout.push(printed);
  reporter.onStdOut(printed, testCase, result);
  const step = { title: `call ${token}`, titlePath: () => [], attachments: [], annotations: [], steps: [] };
  reporter.onStepBegin(testCase, result, step as unknown as TestStep);
  result.errors.push({ message: `Expected "x", received "${token}"` });
  reporter.onTestEnd(testCase, result);
  reporter.onError({ message: `teardown: ${token}` });
  const seen = await close('failed');

  expect(seen.map(({ event }) => event)).toEqual(['onBegin', 'onStdOut', 'onStepBegin', 'onTestEnd', 'onError']);
  expect(seen.filter(({ seen: shown }) => shown.includes(token) || isSealedSecret(shown.slice(2)))).toEqual([]);
  expect(seen[1]?.seen).toContain(`echo ${REDACTED}`);
  expect(result.stdout).toEqual([`echo ${REDACTED}\n`]);
});

// Out of reach, and what is done instead: a value printed before anything knew it for a secret.
test('a value shown before it is a secret is not redacted, and the scan finds it by its fingerprint', async () => {
  const { reporter, relayKey, close } = redactingReporter();
  const password = ['fresh', 'Pw', '7Kq2Zr'].join('-');
  reporter.onConfigure({ projects: [], shard: null } as unknown as FullConfig);
  reporter.onBegin({ title: '', suites: [], tests: [] } as unknown as Suite);
  reporter.onStdOut(`signing up with ${password}\n`);
  reporter.onStdOut(sealSecret(relayKey, password));
  reporter.onStdOut(`logged in with ${password}\n`);
  const seen = await close('passed');

  const output = seen.filter(({ event }) => event === 'onStdOut');
  expect(output.map(({ seen: shown }) => (JSON.parse(shown) as unknown[])[0])).toEqual([
    `signing up with ${password}\n`,
    `logged in with ${REDACTED}\n`,
  ]);
  const key = fingerprintKey(parseEnv({ BASE_URL: 'http://api.test', AUTH: 'token', USER_TOKEN: 'user-key-5Rt7' }))!;
  const known = { values: [], fingerprints: { key, hashes: new Set([fingerprint(key, password)]) } };
  expect(findLeaks('terminal', Buffer.from(`signing up with ${password}\n`), known)).toHaveLength(1);
});
