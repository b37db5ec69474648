import { expect, test } from '@playwright/test';

test('fails on its first attempt and passes on the retry', () => {
  expect(test.info().retry, 'the first attempt fails on purpose').toBeGreaterThan(0);
});
