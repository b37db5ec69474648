import { compareResponses, withoutNoise } from '../../helpers/replay/compare';
import { formatPath, pathMatcher } from '../../helpers/replay/paths';
import { expect, test } from '@playwright/test';

const ok = (body: unknown) => ({ status: 200, body });

test('paths are written as a report shows them and matched by patterns', () => {
  expect(formatPath(['result', 'images', 0, 'url'])).toBe('result.images[0].url');
  const matches = pathMatcher(['createdAt', 'users[*].id', '**.updatedAt', 'result']);
  expect(
    ['createdAt', 'users[3].id', 'a.b[1].updatedAt', 'updatedAt', 'result.images[0]', 'created', 'users[3].email'].map(
      matches,
    ),
  ).toEqual([true, true, true, true, true, false, false]);
});

test('identical responses have no differences', () => {
  expect(compareResponses(ok({ a: [1, { b: null }] }), ok({ a: [1, { b: null }] }))).toEqual([]);
});

test('a renamed field is a removal and an addition, named by path', () => {
  expect(compareResponses(ok({ id: 't1', status: 'queued' }), ok({ id: 't1', state: 'queued' }))).toEqual([
    { path: 'status', kind: 'removed', baseline: 'queued', candidate: undefined },
    { path: 'state', kind: 'added', baseline: undefined, candidate: 'queued' },
  ]);
});

test('a different HTTP status is a difference of its own', () => {
  expect(compareResponses({ status: 200, body: {} }, { status: 500, body: {} })).toEqual([
    { path: '(status)', kind: 'changed', baseline: 200, candidate: 500 },
  ]);
});

test('ignored fields may change, even their type, but not disappear', () => {
  const rules = { ignore: ['createdAt', 'result'] };
  const baseline = ok({ id: 1, createdAt: '2026-01-01T00:00:00Z', result: { images: [1] } });
  expect(compareResponses(baseline, ok({ id: 1, createdAt: '2026-11-23T10:00:00Z', result: null }), rules)).toEqual([]);
  expect(compareResponses(baseline, ok({ id: 1, result: null }), rules)).toEqual([
    { path: 'createdAt', kind: 'removed', baseline: '2026-01-01T00:00:00Z', candidate: undefined },
  ]);
});

test('unordered arrays compare as sets, ordered by content without the ignored fields', () => {
  const rules = { unordered: ['users'], ignore: ['users[*].id'] };
  const baseline = ok({
    users: [
      { id: 'a1', email: 'x@t' },
      { id: 'a2', email: 'y@t' },
    ],
  });
  const candidate = ok({
    users: [
      { id: 'b9', email: 'y@t' },
      { id: 'b8', email: 'x@t' },
    ],
  });
  expect(compareResponses(baseline, candidate, rules)).toEqual([]);
  expect(compareResponses(baseline, candidate, { ignore: ['users[*].id'] })).toHaveLength(2);
});

test('numbers within their tolerance are equal', () => {
  const rules = { tolerance: { progress: 5 } };
  expect(compareResponses(ok({ progress: 50 }), ok({ progress: 54 }), rules)).toEqual([]);
  expect(compareResponses(ok({ progress: 50 }), ok({ progress: 60 }), rules)).toHaveLength(1);
});

test('noise, what differs between two baselines, is not reported', () => {
  const baseline = ok({ id: 't1', requestId: 'r-1', size: '512x512' });
  const secondBaseline = ok({ id: 't1', requestId: 'r-2', size: '512x512' });
  const candidate = ok({ id: 't1', requestId: 'r-3', size: '1024x1024' });
  const noise = compareResponses(baseline, secondBaseline);
  expect(withoutNoise(compareResponses(baseline, candidate), noise)).toEqual([
    { path: 'size', kind: 'changed', baseline: '512x512', candidate: '1024x1024' },
  ]);
});
