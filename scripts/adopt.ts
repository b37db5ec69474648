// Makes the starter yours: removes the embedded demo API, writes .env for your API, keeps the pattern
// specs of tests/ as templates (each skips until its EXAMPLE_* setting names an operation of yours)
// and, from your API's OpenAPI document, generates contracts and a smoke spec beside them.
// helpers/ and fixtures/ are not touched. `npm run adopt -- --help` prints the usage.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { AUTH_STRATEGIES, type AuthStrategy, EnvError } from '../helpers/env';
import { type ReadDocument, readOpenApiDocument } from '../helpers/openapi/document';
import { readSettingsFile } from '../setup/settings';
import { generatedFiles, writeGeneratedFiles } from './generate-contracts';
import { DEFAULT_SMOKE_SPEC, writeSmokeSpec } from './generate-smoke';
import { ORIGIN_FILE, originOfCheckout, writeOrigin } from './starter-origin';

const root = path.join(__dirname, '..');
const at = (file: string) => path.join(root, file);

export const USAGE = `Usage: npm run adopt -- [options]

Makes this copy of the starter yours: removes the demo API and what only it uses, writes .env for your
API, keeps the pattern specs in tests/ as templates, and with --openapi generates contracts and a smoke
spec from your API's description. Asks for what is not given, unless --yes. Works on a clean git tree.

Options:
  --base-url <url>        the API under test, http(s)
  --auth <strategy>       how it authenticates: ${AUTH_STRATEGIES.join(', ')} (default token)
  --health-path <path>    a path that answers 2xx without credentials (default /health)
  --auth-header <name>    the header the credentials go in (default Authorization)
  --auth-scheme <scheme>  what comes before them ('' for the bare value)
  --openapi <file|URL>    its OpenAPI 3.0, 3.1 or Swagger 2.0 document: api/generated/ and tests/api-smoke.spec.ts
  --yes                   ask nothing (--base-url is then required)
  -h, --help              this text
`;

/** What belongs to the demo and goes with it; checked in an adopted copy: nothing kept refers to these. */
export const DEMO_ONLY = [
  'demo-api',
  'api/contracts',
  'api/generated',
  'bench/polling.bench.ts',
  'bench/scale.ts',
  'bench/scale.config.ts',
  'bench/servers.json',
  'checks/adoption',
  'checks/reports',
  'replay/checks/live-instances.spec.ts',
  'scripts/adopted-readme.md',
];

/** Specs of tests/ built on the demo's own contracts cannot outlive them: they go with the demo too. */
function specsOnTheDemosContracts(): string[] {
  return readdirSync(at('tests'))
    .filter((file) => file.endsWith('.ts'))
    .filter((file) => /from '\.\.\/api\/contracts['/]/.test(readFileSync(at(`tests/${file}`), 'utf8')))
    .map((file) => `tests/${file}`);
}

/** The package scripts that only the demo uses. */
const DEMO_SCRIPTS = ['demo-api', 'bench:polling', 'bench:scale'];

/** The settings of each strategy that adoption fills in, beside the credentials left empty in .env. */
const STRATEGY_SETTINGS: Record<AuthStrategy, Record<string, string>> = {
  password: { LOGIN_PATH: '/login' },
  token: {},
  'client-credentials': {},
  none: {},
};

class UsageError extends Error {}

function flagsOf(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      options: {
        'base-url': { type: 'string' },
        auth: { type: 'string' },
        'health-path': { type: 'string' },
        'auth-header': { type: 'string' },
        'auth-scheme': { type: 'string' },
        openapi: { type: 'string' },
        yes: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    // Node's own message, without its advice on positionals: "Unknown option '--base'."
    throw new UsageError(`${(error as Error).message.replace(/\. To specify.*$/s, '')}.`);
  }
}

type Flags = ReturnType<typeof flagsOf>;

async function answers(flags: Flags) {
  const asked = flags.yes ? undefined : createInterface({ input: process.stdin, output: process.stdout });
  const ask = async (question: string, given: string | undefined, fallback: string) => {
    if (given !== undefined || !asked) return given ?? fallback;
    return (await asked.question(`${question} [${fallback}] `)).trim() || fallback;
  };
  try {
    const baseUrl = await ask('Base URL of your API?', flags['base-url'], '');
    if (!/^https?:\/\/\S+$/.test(baseUrl))
      throw new UsageError(`--base-url: expected an http(s) URL such as https://api.example.com, got "${baseUrl}".`);
    const auth = await ask(`How does it authenticate (${AUTH_STRATEGIES.join(', ')})?`, flags.auth, 'token');
    if (!(AUTH_STRATEGIES as readonly string[]).includes(auth)) {
      throw new UsageError(`--auth: expected one of ${AUTH_STRATEGIES.join(', ')}, got "${auth}".`);
    }
    const healthPath = await ask('A path that answers 2xx without credentials?', flags['health-path'], '/health');
    const openapi = await ask('Its OpenAPI document, a file or a URL (Enter for none)?', flags.openapi, '');
    return { baseUrl, auth: auth as AuthStrategy, healthPath, openapi: openapi || undefined };
  } finally {
    asked?.close();
  }
}

type Answers = Awaited<ReturnType<typeof answers>>;

function refuseUnlessReady() {
  if (!existsSync(at('demo-api')))
    throw new UsageError('Already adopted: demo-api/ is gone, so there is nothing left to remove.');
  let status: string;
  try {
    status = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
  } catch {
    throw new UsageError(
      'npm run adopt works in a git checkout, so that you can see and undo what it changes: run `git init` first.',
    );
  }
  if (status.trim())
    throw new UsageError(
      'The git tree has uncommitted changes: commit or stash them first, so that the adoption is one diff.',
    );
}

/**
 * .env from .env.example, each chosen value on the line of its key (a commented-out `# KEY=` line is
 * taken when there is no other), so that every key is in it once. The demo's settings are in
 * demo-api/demo.env, not in .env.example: they go with the demo.
 */
function writeEnv({ baseUrl, auth, healthPath, openapi }: Answers, flags: Flags) {
  const chosen: Record<string, string> = {
    BASE_URL: baseUrl,
    HEALTH_PATH: healthPath,
    AUTH: auth,
    ...STRATEGY_SETTINGS[auth],
    ...(flags['auth-header'] ? { AUTH_HEADER: flags['auth-header'] } : {}),
    ...(flags['auth-scheme'] !== undefined ? { AUTH_SCHEME: flags['auth-scheme'] } : {}),
    ...(openapi ? { OPENAPI_DOCUMENT: 'api/generated/openapi.json' } : {}),
  };
  const lines = readFileSync(at('.env.example'), 'utf8').split('\n');
  const keyOf = (line: string, commented: boolean) =>
    (commented ? /^#\s*([A-Z][A-Z0-9_]*)=/ : /^([A-Z][A-Z0-9_]*)=/).exec(line)?.[1];
  for (const [key, value] of Object.entries(chosen)) {
    let index = lines.findIndex((line) => keyOf(line, false) === key);
    if (index < 0) index = lines.findIndex((line) => keyOf(line, true) === key);
    if (index < 0) lines.push(`${key}=${value}`);
    else lines[index] = `${key}=${value}`;
  }
  if (existsSync(at('.env'))) writeFileSync(at('.env.before-adopt'), readFileSync(at('.env')));
  writeFileSync(at('.env'), lines.join('\n'));
  // The loader refuses a key set twice: so does the adoption, before anyone fills in a credential.
  readSettingsFile(at('.env'));
}

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

/** The README of the adopted project: scripts/adopted-readme.md, with its specs listed from tests/. */
function writeReadme({ baseUrl, auth }: Answers) {
  const specs = readdirSync(at('tests'))
    .filter((file) => file.endsWith('.spec.ts'))
    .sort()
    .map((file) => `| \`tests/${file}\` | ${specSummary(readFileSync(at(`tests/${file}`), 'utf8'))} |`);
  const text = readFileSync(at('scripts/adopted-readme.md'), 'utf8')
    .replaceAll('{{BASE_URL}}', baseUrl)
    .replaceAll('{{AUTH}}', auth)
    .replace('{{SPECS}}', ['| spec | what it shows |', '| --- | --- |', ...specs].join('\n'));
  writeFileSync(at('README.md'), text);
}

/** The first sentence of a spec's leading comment. */
function specSummary(source: string): string {
  const comment = source
    .split('\n')
    .filter((line) => line.startsWith('//'))
    .map((line) => line.replace(/^\/\/\s?/, ''))
    .join(' ');
  const sentence = /^(.+?[.:])(\s|$)/.exec(comment)?.[1] ?? comment;
  return sentence.replace(/[.:]$/, '').replaceAll('|', '\\|') || 'your own';
}

function removeDemoScripts() {
  const pkg = JSON.parse(readFileSync(at('package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const script of DEMO_SCRIPTS) delete pkg.scripts[script];
  writeFileSync(at('package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

/** Contracts in api/generated/ and the smoke spec, from the document (Swagger 2.0 upgraded when read). */
async function fromOpenApi(read: ReadDocument) {
  writeGeneratedFiles(await generatedFiles(read.document));
  const smoke = await writeSmokeSpec({ document: read.document });
  return { writtenIn: read.writtenIn, tests: smoke.tests.length };
}

async function main() {
  const flags = flagsOf(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return;
  }
  refuseUnlessReady();
  const chosen = await answers(flags);
  // Read before anything changes: a document that cannot be read leaves the copy as it was.
  const document = chosen.openapi ? await readOpenApiDocument(chosen.openapi) : undefined;
  // The starter this copy comes from, for `npm run starter:update` (docs/upgrading.md).
  writeOrigin(root, originOfCheckout(root));
  const removed = [...DEMO_ONLY.filter((file) => file !== 'scripts/adopted-readme.md'), ...specsOnTheDemosContracts()];
  for (const file of removed) rmSync(at(file), { recursive: true, force: true });
  const generated = document ? await fromOpenApi(document) : undefined;
  // The replay add-on, unless it was deleted already: rules that record every read, for any API.
  const replayKept = existsSync(at('replay'));
  if (replayKept) writeFileSync(at('replay/rules.ts'), REPLAY_RULES);
  removeDemoScripts();
  writeReadme(chosen);
  rmSync(at('scripts/adopted-readme.md'));
  writeEnv(chosen, flags);
  // What it wrote is formatted the way `npm run lint` checks it.
  const written = ['README.md', 'package.json', ORIGIN_FILE, ...(replayKept ? ['replay/rules.ts'] : [])];
  execFileSync(process.execPath, [require.resolve('prettier/bin/prettier.cjs'), '--write', ...written], {
    cwd: root,
    stdio: 'ignore',
  });
  console.log(
    [
      `Adopted for ${chosen.baseUrl} (AUTH=${chosen.auth}). Removed: ${removed.join(', ')}.`,
      ...(generated
        ? [
            `From ${chosen.openapi} (OpenAPI ${generated.writtenIn}): contracts in api/generated/, ` +
              `${generated.tests} smoke tests in ${path.relative(root, DEFAULT_SMOKE_SPEC)}.`,
          ]
        : []),
      'Next: fill in the credentials in .env, then `npx playwright test`; `git diff` shows every change.',
      'The pattern specs in tests/ skip until their EXAMPLE_* settings in .env name operations of yours.',
    ].join('\n'),
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(error.message);
      if (/option|argument/i.test(error.message)) console.error(`\n${USAGE}`);
      process.exit(2);
    }
    console.error(error instanceof EnvError || error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
