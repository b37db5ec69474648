import { metricMaxDeltaPercentRule } from 'allure/rules';
import { EnvError, parseEnv } from '../../helpers/env';
import {
  allureConfigModule,
  environmentsOf,
  parseProperties,
  stringifyProperties,
} from '../../helpers/reports/allure-config';
import { historyBeforeRun } from '../../helpers/reports/allure-history';
import { gateRules } from '../../helpers/reports/gate-rules';
import { type GateSettings, gateSettings } from '../../helpers/settings/gate';
import { expect, test } from '../../fixtures';

const env = (extra: Record<string, string>) => parseEnv({ BASE_URL: 'https://api.example.com', ...extra });
const none: GateSettings = {
  timeToReadyGrowthPercent: undefined,
  timeToReadyOperations: [],
  slaShareMaxPercent: undefined,
  coverageMin: undefined,
  requiredOperations: [],
  environments: [],
};
const keys = [
  'image generation · time to ready p95',
  'image generation · p95 share of SLA',
  'asset provisioning · time to ready p95',
  'GET /tasks/{taskId} · calls',
  'API coverage · operations',
];

test('the settings, and one line naming a bad key', () => {
  expect(gateSettings(env({}))).toEqual(none);
  expect(
    gateSettings(
      env({
        GATE_TIME_TO_READY_GROWTH_PERCENT: '20',
        GATE_TIME_TO_READY_OPERATIONS: 'image generation, asset provisioning',
        API_COVERAGE_MIN: '0.75',
        API_REQUIRED_OPERATIONS: 'GET /a/{id}, POST /b',
        GATE_ENVIRONMENTS: 'dev,staging',
      }),
    ),
  ).toMatchObject({
    timeToReadyGrowthPercent: 20,
    timeToReadyOperations: ['image generation', 'asset provisioning'],
    coverageMin: 0.75,
    requiredOperations: ['GET /a/{id}', 'POST /b'],
    environments: ['dev', 'staging'],
  });
  expect(() => gateSettings(env({ API_COVERAGE_MIN: '80' }))).toThrow(
    new EnvError('Invalid setting API_COVERAGE_MIN: expected a ratio between 0 and 1, such as 0.8, got "80".'),
  );
  expect(() => gateSettings(env({ GATE_TIME_TO_READY_GROWTH_PERCENT: 'a lot' }))).toThrow(
    new EnvError('Invalid setting GATE_TIME_TO_READY_GROWTH_PERCENT: expected a percentage, such as 20, got "a lot".'),
  );
  expect(() => gateSettings(env({ API_REQUIRED_OPERATIONS: 'GET /a, users' }))).toThrow(
    new EnvError(
      'Invalid setting API_REQUIRED_OPERATIONS: expected a comma list of METHOD /path/{template}, such as GET /items/{id} (not "users"), got "GET /a, users".',
    ),
  );
});

test('no setting, no rule', () => {
  expect(gateRules(none, keys)).toEqual([]);
});

test('a growth rule per operation with a time to ready, or per operation named', () => {
  expect(gateRules({ ...none, timeToReadyGrowthPercent: 20 }, keys)).toEqual([
    {
      id: 'GATE_TIME_TO_READY_GROWTH_PERCENT',
      metricMaxDeltaPercent: { key: 'image generation · time to ready p95', value: 20 },
    },
    {
      id: 'GATE_TIME_TO_READY_GROWTH_PERCENT',
      metricMaxDeltaPercent: { key: 'asset provisioning · time to ready p95', value: 20 },
    },
  ]);
  const named = gateRules(
    { ...none, timeToReadyGrowthPercent: 20, timeToReadyOperations: ['asset provisioning'] },
    keys,
  );
  expect(named.map((rule) => 'metricMaxDeltaPercent' in rule && rule.metricMaxDeltaPercent.key)).toEqual([
    'asset provisioning · time to ready p95',
  ]);
  expect(gateRules({ ...none, slaShareMaxPercent: 80 }, keys)).toEqual([
    { id: 'GATE_SLA_SHARE_MAX_PERCENT', metricMax: { key: 'image generation · p95 share of SLA', value: 80 } },
  ]);
});

test('coverage and required operations, in every environment merged; a missing operation keeps its rule', () => {
  const merged = ['dev', 'staging'].flatMap((name) => keys.map((key) => `${name} · ${key}`));
  const rules = gateRules(
    { ...none, coverageMin: 0.8, requiredOperations: ['get /tasks/{id}', 'POST /orders'] },
    merged,
  );
  expect(rules).toEqual([
    { id: 'API_COVERAGE_MIN', metricMin: { key: 'dev · API coverage · operations', value: 80 } },
    { id: 'API_COVERAGE_MIN', metricMin: { key: 'staging · API coverage · operations', value: 80 } },
    // `{id}` and `{taskId}` are one template: the run's own spelling is kept.
    { id: 'API_REQUIRED_OPERATIONS', metricMin: { key: 'dev · GET /tasks/{taskId} · calls', value: 1 } },
    { id: 'API_REQUIRED_OPERATIONS', metricMin: { key: 'staging · GET /tasks/{taskId} · calls', value: 1 } },
    { id: 'API_REQUIRED_OPERATIONS', metricMin: { key: 'dev · POST /orders · calls', value: 1 } },
    { id: 'API_REQUIRED_OPERATIONS', metricMin: { key: 'staging · POST /orders · calls', value: 1 } },
  ]);
  expect(gateRules({ ...none, environments: ['dev', 'staging'] }, merged)).toEqual([
    { id: 'GATE_ENVIRONMENTS', environmentsTested: ['dev', 'staging'] },
  ]);
  // A run without metrics still gets the rules: Allure then says the metric is missing.
  expect(gateRules({ ...none, requiredOperations: ['POST /orders'] }, [])).toEqual([
    { id: 'API_REQUIRED_OPERATIONS', metricMin: { key: 'POST /orders · calls', value: 1 } },
  ]);
});

test("Allure's own gate fails a growth rule naming the metric, and passes without a previous value", async () => {
  const [rule] = gateRules({ ...none, timeToReadyGrowthPercent: 20 }, ['image generation · time to ready p95']);
  const metric = (value: number) => ({
    id: 'a',
    key: 'image generation · time to ready p95',
    value,
    start: 0,
    stop: 1,
    unit: 'ms',
    better: 'lower' as const,
  });
  const point = (value: number) => ({
    uuid: 'earlier',
    name: 'r',
    timestamp: 1,
    knownTestCaseIds: [],
    testResults: {},
    metrics: { 'image generation · time to ready p95': value },
    url: '',
  });
  const expected = (rule as { metricMaxDeltaPercent: { key: string; value: number } }).metricMaxDeltaPercent;
  const validate = async (value: number, previous?: number) => {
    const result = await metricMaxDeltaPercentRule.validate({
      trs: [],
      expected,
      state: { getResult: () => undefined, setResult: () => undefined },
      metrics: [metric(value)],
      previousHistory: previous === undefined ? [] : [point(previous)],
    });
    return { ...result, message: metricMaxDeltaPercentRule.message({ actual: result.actual, expected }) };
  };
  const slower = await validate(3_000, 1_000);
  expect(slower.success).toBe(false);
  // eslint-disable-next-line no-control-regex
  expect(slower.message.replace(/\u001b\[\d+m/g, '')).toBe(
    'image generation · time to ready p95 changed by 200 %, which exceeds 20 %',
  );
  expect((await validate(1_100, 1_000)).success).toBe(true);
  // Faster is never a regression of a metric where lower is better.
  expect((await validate(100, 1_000)).success).toBe(true);
  expect((await validate(3_000)).success).toBe(true);
});

test("the history before a run: without the points built from the run's own results", () => {
  const point = (uuid: string, start: number) =>
    JSON.stringify({ uuid, testResults: { h1: { name: 'a test', start }, h2: { name: 'another', start: start + 5 } } });
  const history = [point('older', 100), '{"damaged', point('this run', 200), point('this run again', 200)].join('\n');
  const before = historyBeforeRun(`${history}\n`, [
    { name: 'a test', start: 200 },
    { name: 'another', start: 205 },
  ]);
  expect(before).toBe(`${point('older', 100)}\n{"damaged\n`);
  // A run whose report was not built yet compares with the whole history.
  expect(historyBeforeRun(`${history}\n`, [{ name: 'a test', start: 300 }]).split('\n')).toHaveLength(5);
});

test('a config that extends allurerc.mjs with the environments found and the gate rules', () => {
  expect(
    environmentsOf([
      { labels: [{ name: 'environment', value: 'staging' }] },
      {
        labels: [
          { name: 'feature', value: 'x' },
          { name: 'environment', value: 'dev' },
        ],
      },
      { labels: [{ name: 'environment', value: 'staging' }] },
      {},
    ]),
  ).toEqual(['dev', 'staging']);
  const module = allureConfigModule('/repo/allurerc.mjs', {
    environments: ['dev'],
    overrides: { appendHistory: false },
    rules: [{ id: 'GATE_ENVIRONMENTS', environmentsTested: ['dev'] }],
  });
  expect(module).toContain('import base from "file:///repo/allurerc.mjs";');
  expect(module).toContain('...{"appendHistory":false},');
  expect(module).toContain('label.name === "environment" && label.value === name');
  expect(module).toContain('...[{"id":"GATE_ENVIRONMENTS","environmentsTested":["dev"]}]');
});

test("an environment's block is kept as a properties file and read back as it was", () => {
  const block = { 'Target URL': 'http://127.0.0.1:3100', 'a=b': 'c:d \\ e', Environment: 'staging' };
  expect(stringifyProperties(block)).toContain('Target\\ URL=http://127.0.0.1:3100\n');
  expect(parseProperties(stringifyProperties(block))).toEqual(block);
  expect(parseProperties('# comment\n\nGit\\ commit=abc\nNode: v20\n')).toEqual({ 'Git commit': 'abc', Node: 'v20' });
});
