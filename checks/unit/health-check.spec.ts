import { expect, test } from '@playwright/test';
import { EnvError } from '../../helpers/env';
import { describeOtherServer, describeUnreachableTarget } from '../../helpers/http/health-check';

const url = 'https://api.example.com/health';
const answering = (status: number) => async () => status;
const failing = (message: string) => async () => Promise.reject(new Error(message));

test('each way of not answering 2xx names what to look at', async () => {
  expect(await describeUnreachableTarget(url, answering(204))).toBeNull();
  expect(await describeUnreachableTarget(url, answering(403))).toBe(
    `${url} answered HTTP 403: HEALTH_PATH must be a route that answers without credentials.`,
  );
  expect(await describeUnreachableTarget(url, answering(404))).toBe(
    `${url} answered HTTP 404: check HEALTH_PATH (and the path part of BASE_URL).`,
  );
  expect(await describeUnreachableTarget(url, answering(503))).toBe(
    `${url} answered HTTP 503 instead of 2xx (HEALTH_PATH).`,
  );
  expect(await describeUnreachableTarget(url, failing('connect ECONNREFUSED 127.0.0.1:9'))).toBe(
    `${url} did not answer: connection refused (nothing listens there).`,
  );
  expect(await describeUnreachableTarget(url, failing('getaddrinfo ENOTFOUND api.example.com'))).toBe(
    `${url} did not answer: host name not found.`,
  );
});

test('a settings error inside the probe is not taken for an unreachable API', async () => {
  const missing = new EnvError('Missing setting USER_TOKEN: role user authenticates with a static token (AUTH=token).');
  await expect(describeUnreachableTarget(url, async () => Promise.reject(missing))).rejects.toBe(missing);
  // The control: any other failure of the probe is the API's.
  expect(await describeUnreachableTarget(url, failing('Missing setting USER_TOKEN'))).toBe(
    `${url} did not answer: Missing setting USER_TOKEN.`,
  );
});

test('a server is the embedded API when its Server header names the expected product, with any version', () => {
  expect(describeOtherServer({ status: 200, server: 'my-api' }, 'my-api')).toBeNull();
  expect(describeOtherServer({ status: 503, server: 'my-api/1.2.0' }, 'my-api')).toBeNull();
  expect(describeOtherServer({ status: 404, server: 'nginx/1.27' }, 'my-api')).toBe(
    'answered HTTP 404 as "nginx/1.27", not as my-api',
  );
  expect(describeOtherServer({ status: 200, server: undefined }, 'my-api')).toBe(
    'answered HTTP 200 without a Server header, not as my-api',
  );
  expect(describeOtherServer({ status: 200, server: 'my-api-other' }, 'my-api')).not.toBeNull();
});
