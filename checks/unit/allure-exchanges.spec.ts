import type { StepResult } from 'allure-js-commons';
import { expect, test } from '@playwright/test';
import { mergeExchangeAttachments } from '../../reporters/allure-exchanges';

// An attachment step, as allure-playwright writes an attachment placed in a step.
const attachment = (name: string, source: string): StepResult =>
  ({
    name,
    start: 1,
    stop: 1,
    steps: [],
    attachments: [{ name, source, type: 'application/json' }],
    parameters: [],
  }) as unknown as StepResult;
const step = (name: string, steps: StepResult[]): StepResult =>
  ({ name, start: 0, stop: 2, steps, attachments: [], parameters: [] }) as unknown as StepResult;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

test("each call's request and response become one attachment of its step, in the place of the two", () => {
  const files = new Map([
    ['req.json', json({ method: 'GET', path: '/tasks/1' })],
    ['res.json', json({ status: 200, body: { id: 1 } })],
    ['timeline.json', json({ attempts: 1 })],
  ]);
  const steps = [
    step('Wait for export', [
      step('GET /tasks/1 → 200 (2 ms)', [
        attachment('GET /tasks/1 request', 'req.json'),
        attachment('GET /tasks/1 response', 'res.json'),
      ]),
      attachment('readiness timeline', 'timeline.json'),
    ]),
  ];

  mergeExchangeAttachments(steps, files);

  const call = steps[0]!.steps[0]!;
  expect(call.steps.map((child) => child.name)).toEqual(['GET /tasks/1 request and response']);
  expect(call.steps[0]!.attachments).toEqual([
    { name: 'GET /tasks/1 request and response', source: 'res.json', type: 'application/json' },
  ]);
  expect(JSON.parse(files.get('res.json')!.toString())).toEqual({
    request: { method: 'GET', path: '/tasks/1' },
    response: { status: 200, body: { id: 1 } },
  });
  expect([...files.keys()]).toEqual(['res.json', 'timeline.json']);
  expect(steps[0]!.steps[1]!.name).toBe('readiness timeline');
});

test('halves of different calls, halves apart, and halves that are not JSON stay as they are', () => {
  const files = new Map([
    ['a.json', json({ method: 'GET' })],
    ['b.json', json({ status: 200 })],
    ['c.json', json({ method: 'POST' })],
    ['d.txt', Buffer.from('not json')],
  ]);
  const steps = [
    attachment('GET /a request', 'a.json'),
    attachment('GET /b response', 'b.json'),
    attachment('POST /c request', 'c.json'),
    attachment('POST /c response', 'd.txt'),
  ];
  const before = structuredClone(steps);

  mergeExchangeAttachments(steps, files);

  expect(steps).toEqual(before);
  expect(files.size).toBe(4);
});
