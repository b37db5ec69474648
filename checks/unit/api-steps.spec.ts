import { expect, test } from '@playwright/test';
import { resultsWithUnpairedExchanges, shortApiSteps } from '../../helpers/reports/api-steps';

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

test("a test whose every call has its request and response attached as one passes; one with a call's halves apart is caught", () => {
  const exchange = (call: string) => step(`${call} request and response`, 0);
  const half = (call: string, which: string) => step(`${call} ${which}`, 0);
  const results = [
    {
      name: 'attached',
      steps: [
        step('POST /api/v1/users → 201 (7 ms)', 8, [exchange('POST /api/v1/users')]),
        // A teardown's call: its attachment beside the After Hooks, as allure-playwright places it.
        exchange('DELETE /api/v1/users/1'),
        step('After Hooks', 6, [step('DELETE /api/v1/users/1 → 204 (5 ms)', 6)]),
      ],
    },
    {
      name: 'apart',
      steps: [
        step('GET /api/v1/tasks/1 → 200 (2 ms)', 3, [
          half('GET /api/v1/tasks/1', 'request'),
          half('GET /api/v1/tasks/1', 'response'),
        ]),
      ],
    },
  ];
  expect(resultsWithUnpairedExchanges(results)).toEqual([{ name: 'apart', calls: 1, exchanges: 0 }]);
});
