import { expect, test } from '@playwright/test';
import { exchangesFromAttachments } from '../../helpers/http/exchange-report';

const json = (name: string, body: unknown) => ({
  name,
  contentType: 'application/json',
  body: Buffer.from(JSON.stringify(body)),
});
const request = (path: string) => ({ identity: 'user', method: 'GET', path, startedAt: 'now', headers: {} });

test('the exchanges of a test are read back from its report attachments, halves paired by name', () => {
  const exchanges = exchangesFromAttachments([
    json('GET /a request', request('/a')),
    json('GET /b request', request('/b')),
    { name: 'readiness timeline', contentType: 'application/json', body: Buffer.from('{}') },
    json('GET /b response', { status: 200, latencyMs: 3, headers: {}, body: { id: 'b' } }),
    { name: 'GET /a response', contentType: 'text/plain', body: Buffer.from('not the JSON one') },
    json('GET /a response', { error: 'socket hang up', latencyMs: 5 }),
    json('login response', { token: 'x' }),
  ]);
  expect(exchanges).toEqual([
    { ...request('/b'), latencyMs: 3, response: { status: 200, body: { id: 'b' } } },
    { ...request('/a'), latencyMs: 5, response: undefined },
  ]);
});
