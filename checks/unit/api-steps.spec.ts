import { expect, test } from '@playwright/test';
import { shortApiSteps } from '../../helpers/reports/api-steps';

const step = (name: string, durationMs: number, steps: object[] = []) => ({
  name,
  start: 1000,
  stop: 1000 + durationMs,
  steps,
});

test('an API step that spans its call passes; one opened after the call is caught', () => {
  const results = [
    {
      steps: [
        step('Wait for image generation: task 1 (SLA 12 s)', 900, [step('GET /api/v1/tasks/1 → 200 (40 ms)', 41)]),
        step('POST /api/v1/users → 201 (7 ms)', 1),
        step('GET /health → 200 (1 ms)', 0),
        step('GET /slow → no response (1000 ms)', 1002),
      ],
    },
  ];
  expect(shortApiSteps(results)).toEqual({
    steps: 4,
    short: [{ name: 'POST /api/v1/users → 201 (7 ms)', durationMs: 1, latencyMs: 7 }],
  });
});
