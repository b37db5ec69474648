// Makes the starter yours: removes the embedded demo API and its examples, writes .env for your API
// and leaves one small example spec aimed at it. helpers/ and fixtures/ are not touched.
// Usage: npm run adopt                      (asks)
//        npm run adopt -- --base-url https://api.example.com --auth token --yes
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { AUTH_STRATEGIES, type AuthStrategy } from '../helpers/env';
import { ORIGIN_FILE, originOfCheckout, writeOrigin } from './starter-origin';

const root = path.join(__dirname, '..');
const at = (file: string) => path.join(root, file);

// What belongs to the demo and goes with it.
const DEMO_ONLY = [
  'demo-api',
  'tests',
  'api/contracts',
  'api/generated',
  'bench/polling.bench.ts',
  'bench/servers.json',
  'checks/adoption',
  'checks/reports',
  'checks/unit/generated-contracts.spec.ts',
  'replay/checks/live-instances.spec.ts',
];

const { values: flags } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    auth: { type: 'string' },
    'health-path': { type: 'string' },
    'auth-header': { type: 'string' },
    'auth-scheme': { type: 'string' },
    yes: { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

async function answers() {
  const asked = flags.yes ? undefined : createInterface({ input: process.stdin, output: process.stdout });
  const ask = async (question: string, given: string | undefined, fallback: string) => {
    if (given !== undefined || !asked) return given ?? fallback;
    return (await asked.question(`${question} [${fallback}] `)).trim() || fallback;
  };
  try {
    const baseUrl = await ask('Base URL of your API?', flags['base-url'], '');
    if (!/^https?:\/\/\S+$/.test(baseUrl))
      fail(`--base-url: expected an http(s) URL such as https://api.example.com, got "${baseUrl}".`);
    const auth = await ask(`How does it authenticate (${AUTH_STRATEGIES.join(', ')})?`, flags.auth, 'token');
    if (!(AUTH_STRATEGIES as readonly string[]).includes(auth)) {
      fail(`--auth: expected one of ${AUTH_STRATEGIES.join(', ')}, got "${auth}".`);
    }
    const healthPath = await ask('A path that answers 2xx without credentials?', flags['health-path'], '/health');
    return { baseUrl, auth: auth as AuthStrategy, healthPath };
  } finally {
    asked?.close();
  }
}

function refuseUnlessReady() {
  if (!existsSync(at('demo-api'))) fail('Already adopted: demo-api/ is gone, so there is nothing left to remove.');
  let status: string;
  try {
    status = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  } catch {
    fail('npm run adopt works in a git checkout, so that you can see and undo what it changes: run `git init` first.');
  }
  if (status.trim())
    fail('The git tree has uncommitted changes: commit or stash them first, so that the adoption is one diff.');
}

const CREDENTIALS: Record<AuthStrategy, string[]> = {
  password: ['LOGIN_PATH=/login', 'USER_USERNAME=', 'USER_PASSWORD='],
  token: ['USER_TOKEN='],
  'client-credentials': ['OAUTH_TOKEN_URL=', 'USER_CLIENT_ID=', 'USER_CLIENT_SECRET='],
  none: [],
};

function writeEnv({ baseUrl, auth, healthPath }: Awaited<ReturnType<typeof answers>>) {
  const chosen: Record<string, string> = {
    BASE_URL: baseUrl,
    HEALTH_PATH: healthPath,
    AUTH: auth,
    ...(flags['auth-header'] ? { AUTH_HEADER: flags['auth-header'] } : {}),
    ...(flags['auth-scheme'] !== undefined ? { AUTH_SCHEME: flags['auth-scheme'] } : {}),
  };
  const lines = readFileSync(at('.env.example'), 'utf8')
    .split('\n')
    .map((line) => {
      const key = /^#?\s*([A-Z0-9_]+)=/.exec(line)?.[1];
      return key && key in chosen ? `${key}=${chosen[key]}` : line;
    });
  const missing = Object.keys(chosen).filter((key) => !lines.some((line) => line.startsWith(`${key}=`)));
  const text = [
    ...lines,
    ...missing.map((key) => `${key}=${chosen[key]}`),
    '',
    `# Written by npm run adopt: the credentials of the default role for AUTH=${auth} (docs/adopting.md).`,
    ...CREDENTIALS[auth],
    '# The SLA of the example wait in tests/api.spec.ts; add one SLA_<OPERATION>_MS per operation of yours.',
    'SLA_API_READINESS_MS=10000',
    '',
  ].join('\n');
  if (existsSync(at('.env'))) writeFileSync(at('.env.before-adopt'), readFileSync(at('.env')));
  writeFileSync(at('.env'), text);
}

const EXAMPLE_SPEC = `import { expect, test } from '../api/fixtures';

// The first specs against your API. Copy the patterns of docs/readiness.md for its asynchronous work.

test('the API answers its health check', async ({ anonymousApi, env }) => {
  await expect(await anonymousApi.get(env.healthPath)).toHaveStatus(200);
});

test('the default role can call the API with its credentials', async ({ api, env }) => {
  // TODO: a route of yours that needs credentials, e.g. the current user.
  await expect(await api.get(env.healthPath)).toHaveStatus(200);
});

test('the API becomes ready', async ({ api, env, waitUntilReady }) => {
  // TODO: an operation of yours that finishes later: submit it, then poll what tells you it is done.
  const { record } = await waitUntilReady({
    operation: 'api readiness', // its SLA is SLA_API_READINESS_MS
    subject: env.baseURL,
    probe: ({ timeoutMs }) => api.get(env.healthPath, { timeout: timeoutMs }),
    // TODO: name your "not ready" signal; everything else is ready or fatal (docs/readiness.md).
    classify: (response) =>
      response.status() === 200
        ? { kind: 'ready', value: response.status(), observed: 'HTTP 200', httpStatus: 200 }
        : response.status() === 503
          ? { kind: 'not-ready', observed: 'HTTP 503', httpStatus: 503 }
          : {
              kind: 'fatal',
              category: 'unexpected-status',
              observed: \`HTTP \${response.status()}\`,
              httpStatus: response.status(),
              evidence: \`HTTP \${response.status()}\`,
            },
  });
  expect(record.outcome).toBe('ready');
});
`;

const FIXTURES = `import { expect, parse, test } from '../fixtures';

// Your API's own fixtures: the one file of code that your API may need besides contracts and specs
// (a user factory, a signing scheme as an AuthSource for clientWith…). The core stays as it is.
// Extend the core's test here: export const test = core.extend<{ … }>({ … }).

export { expect, parse, test };
export type { ApiClient } from '../fixtures';
`;

const CONTRACTS = `import { z } from 'zod';

// Your API's response contracts (docs/contracts.md): hand-written here, or generated from your
// OpenAPI document into api/generated/ with npm run contracts:generate.

export const Health = z.object({}).loose();
`;

const REPLAY_RULES = `import { defineReplayConfig } from '../helpers/replay/rules';

// What \`npm run record\` records and how \`npm run replay\` compares (docs/replay.md). Paths in
// \`ignore\`, \`unordered\` and \`tolerance\` are patterns: \`createdAt\`, \`items[*].id\`, \`**.updatedAt\`.
export const replayRules = defineReplayConfig({
  record: {
    readMethods: ['GET', 'HEAD'],
    include: ['/**'],
    exclude: [],
    // Writes that are safe to replay on a test environment (\`POST /path/glob\`); none until listed.
    writes: [],
    identities: ['anonymous', 'user'],
    sampleRate: 1,
  },
  compare: { default: {}, endpoints: {} },
});
`;

function replaceReadmeStart() {
  const readme = readFileSync(at('README.md'), 'utf8');
  const start = '<!-- adopt:start -->';
  const end = '<!-- adopt:end -->';
  if (!readme.includes(start) || !readme.includes(end)) return;
  const ours = [
    start,
    '',
    'API tests for our service, built on a Playwright starter for asynchronous HTTP APIs.',
    '',
    'Set `BASE_URL` and the credentials in `.env` (see `.env.example`), then:',
    '',
    '```sh',
    'npm ci',
    'npx playwright test',
    '```',
    '',
    end,
  ].join('\n');
  writeFileSync(
    at('README.md'),
    readme.slice(0, readme.indexOf(start)) + ours + readme.slice(readme.indexOf(end) + end.length),
  );
}

function removeDemoScripts() {
  const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8')) as { scripts: Record<string, string> };
  delete pkg.scripts['demo-api'];
  delete pkg.scripts['bench:polling'];
  writeFileSync(at('package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

async function main() {
  refuseUnlessReady();
  const chosen = await answers();
  // The starter this copy comes from, for `npm run starter:update` (docs/upgrading.md).
  writeOrigin(root, originOfCheckout(root));
  for (const file of DEMO_ONLY) rmSync(at(file), { recursive: true, force: true });
  writeFileSync(at('api/fixtures.ts'), FIXTURES);
  writeFileSync(at('api/contracts.ts'), CONTRACTS);
  // The replay add-on, unless it was deleted already: rules that record every read, for any API.
  const replayKept = existsSync(at('replay'));
  if (replayKept) writeFileSync(at('replay/rules.ts'), REPLAY_RULES);
  mkdirSync(at('tests'), { recursive: true });
  writeFileSync(at('tests/api.spec.ts'), EXAMPLE_SPEC);
  removeDemoScripts();
  replaceReadmeStart();
  writeEnv(chosen);
  // What it wrote is formatted the way `npm run lint` checks it.
  const written = [
    'README.md',
    'package.json',
    'api/fixtures.ts',
    'api/contracts.ts',
    'tests/api.spec.ts',
    ORIGIN_FILE,
    ...(replayKept ? ['replay/rules.ts'] : []),
  ];
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', ...written], {
    cwd: root,
    stdio: 'ignore',
  });
  console.log(
    [
      `Adopted for ${chosen.baseUrl} (AUTH=${chosen.auth}). Removed: ${DEMO_ONLY.join(', ')}.`,
      'Next: fill in the credentials in .env, then `npx playwright test`; `git diff` shows every change.',
    ].join('\n'),
  );
}

void main();
