import { expect, test } from '@playwright/test';
import * as allure from 'allure-js-commons';
import { waitStepsFor } from '../../../fixtures/wait-steps';

test('a wait reported through the starter', async ({}, testInfo) => {
  const outcome = await waitStepsFor(testInfo).step('Wait for export', async (step) => {
    await step.rename('Wait for export: ready');
    await step.parameter('operation', 'export');
    await step.attachJson('readiness timeline', { operation: 'export' });
    return 'ready';
  });
  expect(outcome).toBe('ready');
});

test("a wait reported through Allure's runtime", async () => {
  const outcome = await allure.step('Wait for export', async (step) => {
    await step.displayName('Wait for export: ready');
    await step.parameter('operation', 'export');
    return 'ready';
  });
  expect(outcome).toBe('ready');
});
