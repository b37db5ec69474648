import { expect, test } from '../../../fixtures';

test('the API on the embedded port answers its health check', async ({ anonymousApi, env }) => {
  await expect(await anonymousApi.get(env.healthPath)).toHaveStatus(200);
});
