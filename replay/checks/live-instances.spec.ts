import { Redactor } from '../../helpers/secrets/redactor';
import { type ReplayTarget, replayExchange } from '../../helpers/replay/engine';
import type { RecordedExchange } from '../../helpers/replay/recording';
import { defineReplayConfig } from '../../helpers/replay/rules';
import { type DemoInstance, expect, test } from '../../demo-api/tests/demo-fixtures';

// The replay engine between live demo API instances: what the comparison rules and the noise
// cancellation make of the differences that real environments show.

const USER = { email: 'user@demo.test', password: 'user-password-1' };
const ADMIN = { email: 'admin@demo.test', password: 'admin-password-1' };

async function asTarget(name: string, demo: DemoInstance, credentials = USER): Promise<ReplayTarget> {
  const login = await demo.api.post('/api/v1/auth/login', { data: credentials });
  const { token } = (await login.json()) as { token: string };
  return {
    name,
    send: async (request) => {
      const response = await demo.api.fetch(request.path, {
        method: request.method,
        headers: { ...request.headers, authorization: `Bearer ${token}` },
      });
      return { status: response.status(), body: (await response.json()) as unknown };
    },
  };
}

const me: RecordedExchange = {
  session: 's',
  title: 'who am I',
  sequence: 1,
  identity: 'user',
  method: 'GET',
  path: '/api/v1/users/me',
  headers: {},
  write: false,
  response: { status: 200, body: {} },
  recordedAt: '2026-11-23T10:00:00.000Z',
};

const noRules = defineReplayConfig({
  record: { readMethods: ['GET'], include: ['/**'], exclude: [], writes: [], identities: ['user'], sampleRate: 1 },
  compare: { default: {}, endpoints: {} },
});

test('a field that differs between two baselines is noise, not a regression', async ({ startDemoApi }) => {
  const [baseline, secondBaseline, candidate] = await Promise.all([
    startDemoApi().then((demo) => asTarget('baseline', demo)),
    startDemoApi().then((demo) => asTarget('second baseline', demo)),
    startDemoApi().then((demo) => asTarget('candidate', demo)),
  ]);
  const replay = (withNoiseCancellation: boolean) =>
    replayExchange({
      config: noRules,
      session: [me],
      exchange: me,
      baseline,
      candidate,
      secondBaseline: withNoiseCancellation ? secondBaseline : undefined,
      redactor: new Redactor(),
    });

  // Each instance gives its users their own ids: without rules, that reads as a regression…
  const withoutCancellation = await replay(false);
  expect(withoutCancellation.differences.map((difference) => difference.path)).toContain('id');
  // …unless a second baseline shows that the id differs between baselines too.
  const withCancellation = await replay(true);
  expect(withCancellation.differences).toEqual([]);
  expect(withCancellation.noise.map((difference) => difference.path)).toContain('id');
});

test('list order and generated ids make no difference when the rules say so', async ({ startDemoApi }) => {
  const [baselineDemo, candidateDemo] = await Promise.all([startDemoApi(), startDemoApi()]);
  // The same users, created in opposite orders: the lists differ in order and in ids only.
  for (const email of ['a@demo.test', 'b@demo.test']) await baselineDemo.signUp(email);
  for (const email of ['b@demo.test', 'a@demo.test']) await candidateDemo.signUp(email);
  const users: RecordedExchange = { ...me, identity: 'admin', path: '/api/v1/admin/users' };
  const replay = async (endpoints: Parameters<typeof defineReplayConfig>[0]['compare']['endpoints']) =>
    replayExchange({
      config: { ...noRules, compare: { default: {}, endpoints } },
      session: [users],
      exchange: users,
      baseline: await asTarget('baseline', baselineDemo, ADMIN),
      candidate: await asTarget('candidate', candidateDemo, ADMIN),
      redactor: new Redactor(),
    });

  expect((await replay({})).differences.length).toBeGreaterThan(0);
  const configured = await replay({
    'GET /api/v1/admin/users': { unordered: ['users'], ignore: ['users[*].id', 'users[*].createdAt'] },
  });
  expect(configured.differences).toEqual([]);
});
