import { addStepParameter, decorationOf, renameStep } from '../../helpers/reports/step-annotations';
import { type ActivityStep, activityOf } from '../../helpers/reports/test-activity';
import { activityLabels, featureAndStory, withDefaultLabels } from '../../helpers/reports/test-labels';
import { expect, test } from '../../fixtures';

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const request = (method: string, path: string, identity: string) => ({
  name: `${method} ${path} request`,
  contentType: 'application/json',
  body: json({ identity, method, path, startedAt: '2026-12-01T10:00:00.000Z', headers: {} }),
});
const response = (method: string, path: string, status: number) => ({
  name: `${method} ${path} response`,
  contentType: 'application/json',
  body: json({ status, latencyMs: 5, headers: {}, body: {} }),
});
const record = (operation: string, outcome = 'ready') => ({
  name: 'readiness timeline',
  contentType: 'application/json',
  body: json({ operation, subject: 'x', slaMs: 1, outcome, attempts: 1, elapsedMs: 1 }),
});

let clock = 0;
const step = (
  category: string,
  attachments: ActivityStep['attachments'],
  steps: ActivityStep[] = [],
  error?: unknown,
) => ({
  category,
  startTime: new Date((clock += 10)),
  attachments,
  steps,
  ...(error === undefined ? {} : { error }),
});
// As Playwright reports them: a call's step holds its two attachments itself (fixtures/exchange-reports.ts).
const call = (method: string, path: string, status: number, identity = 'user', error?: unknown) => {
  const [asked, answered] = [request(method, path, identity), response(method, path, status)];
  return {
    step: step('test.step', [asked, answered], [], error),
    attachments: [asked, answered],
  };
};

test('feature and story: the outer describe or the spec file, and the test title', () => {
  expect(featureAndStory('tests/image-generation.spec.ts', [], 'a task completes')).toEqual([
    { name: 'feature', value: 'image generation' },
    { name: 'story', value: 'a task completes' },
  ]);
  expect(featureAndStory('tests/orders.spec.ts', ['checkout', 'with a coupon'], 'pays less')).toEqual([
    { name: 'feature', value: 'checkout' },
    { name: 'story', value: 'pays less' },
  ]);
  // A test's own label wins.
  expect(
    withDefaultLabels(
      [{ name: 'feature', value: 'billing' }],
      [
        { name: 'feature', value: 'orders' },
        { name: 'story', value: 's' },
      ],
    ),
  ).toEqual([
    { name: 'feature', value: 'billing' },
    { name: 'story', value: 's' },
  ]);
});

test('operations and roles from the calls and the waits, each once, in order of use', () => {
  const create = call('POST', '/tasks', 202);
  const poll = call('GET', '/tasks/tsk_1a2b3c4d', 200);
  const again = call('GET', '/tasks/tsk_9z8y7x6w', 200, 'admin');
  const wait = step('test.step', [], [step('test.attach', [record('task completion')]), poll.step]);
  const activity = activityOf(
    {
      status: 'passed',
      attachments: [...create.attachments, ...poll.attachments, record('task completion'), ...again.attachments],
      steps: [create.step, wait, again.step],
    },
    undefined,
  );
  expect(activityLabels(activity)).toEqual([
    { name: 'operation', value: 'task completion' },
    { name: 'operation', value: 'POST /tasks' },
    { name: 'operation', value: 'GET /tasks/{id}' },
    { name: 'role', value: 'user' },
    { name: 'role', value: 'admin' },
  ]);
});

test('a failed test names where it failed: the wait, the call without an answer, or the call before the check', () => {
  const poll = call('GET', '/tasks/tsk_1a2b3c4d', 500);
  // A wait provoked on purpose failed earlier, without failing the test.
  const provoked = step('test.step', [], [step('test.attach', [record('login', 'unexpected-status')])], 'provoked');
  const failedWait = step(
    'test.step',
    [],
    [step('test.attach', [record('task completion', 'timeout')]), poll.step],
    'timeout',
  );
  const failed = (steps: ActivityStep[]) =>
    activityOf({ status: 'failed', attachments: [], steps }, undefined).failedOperation;
  expect(failed([provoked, failedWait])).toBe('task completion');

  const unanswered = call('POST', '/exports', 0, 'user', 'ECONNRESET');
  expect(failed([provoked, unanswered.step])).toBe('POST /exports');

  const login = call('POST', '/login', 500);
  const check = step('expect', [], [], 'expected 200');
  expect(failed([provoked, login.step, check])).toBe('POST /login');
  expect(
    activityOf({ status: 'passed', attachments: [], steps: [provoked] }, undefined).failedOperation,
  ).toBeUndefined();
});

test("a step's report name and parameters travel as its annotations, the last name winning", () => {
  const info = { annotations: [] as Array<{ type: string; description?: string }> };
  renameStep(info, 'GET /x');
  addStepParameter(info, 'as', 'user');
  renameStep(info, 'GET /x → 200 (5 ms)');
  expect(decorationOf(info.annotations)).toEqual({
    name: 'GET /x → 200 (5 ms)',
    parameters: [{ name: 'as', value: 'user' }],
  });
  expect(decorationOf([{ type: 'skip' }])).toBeUndefined();
  expect(() => renameStep({}, 'x')).toThrow('This Playwright version gives a step no annotations');
});
