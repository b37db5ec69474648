import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { buildApp } from '../../demo-api/app';
import { parseDemoConfig } from '../../demo-api/config';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
const apiKey = ['update', 'check', 'key', '8sLw3q'].join('-');
// Only what a new machine has: no settings of the surrounding run.
const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? tmpdir(), CI: 'true' };
const author = ['-c', 'user.name=check', '-c', 'user.email=check@example.test'];

type Result = { code: number; stdout: string; stderr: string };
const inDir = (cwd: string) => (file: string, args: string[]) =>
  run(file, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }): Result => ({ code: 0, stdout, stderr }),
    (error: Result): Result => error,
  );
const commit = (cwd: string, message: string) => inDir(cwd)('git', [...author, 'commit', '-qam', message]);

/** The starter as its repository: this checkout's files, committed, with full history (a local clone). */
async function starterRepository(dir: string) {
  const starter = path.join(dir, 'starter');
  const { stdout: files } = await run('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root });
  for (const file of files.split('\n').filter(Boolean)) cpSync(path.join(root, file), path.join(starter, file));
  const git = inDir(starter);
  await git('git', ['init', '-q']);
  await git('git', ['add', '-A']);
  await git('git', [...author, 'commit', '-qm', 'The starter']);
  const { version } = JSON.parse(readFileSync(path.join(starter, 'package.json'), 'utf8')) as { version: string };
  return { starter, version };
}

/** A team's copy: cloned (or copied, without the history), adopted for a token API, committed. */
async function adoptedCopy(dir: string, starter: string, baseUrl: string, { clone = true } = {}) {
  const copy = path.join(dir, 'copy');
  if (clone) await run('git', ['clone', '-q', starter, copy], { env });
  else
    cpSync(starter, copy, {
      recursive: true,
      filter: (file) => path.relative(starter, file).split(path.sep)[0] !== '.git',
    });
  const git = inDir(copy);
  if (!clone) await git('git', ['init', '-q']);
  if (!clone) await git('git', ['add', '-A']);
  if (!clone) await git('git', [...author, 'commit', '-qm', 'Our API tests, from the starter']);
  symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  appendFileSync(path.join(copy, '.git', 'info', 'exclude'), 'node_modules\n');
  const adopted = await git('npx', ['tsx', 'scripts/adopt.ts', '--base-url', baseUrl, '--auth', 'token', '--yes']);
  expect(adopted.stderr).toBe('');
  writeFileSync(
    path.join(copy, '.env'),
    `BASE_URL=${baseUrl}\nAUTH=token\nUSER_TOKEN=${apiKey}\nAUTH_HEADER=X-API-Key\nAUTH_SCHEME=\nEXAMPLE_ROLE_CALL=GET /api/v1/users/me\n`,
  );
  await git('git', ['add', '-A']);
  await git('git', [...author, 'commit', '-qm', 'Adopted']);
  return copy;
}

/** A newer starter: a core file changed, the version bumped, a CHANGELOG section. */
async function releaseNewer(starter: string, version: string) {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const newer = `${major}.${minor + 1}.0`;
  const edit = (file: string, change: (text: string) => string) =>
    writeFileSync(path.join(starter, file), change(readFileSync(path.join(starter, file), 'utf8')));
  edit('helpers/env.ts', (text) => `${text}\n/** Added by the newer starter. */\nexport const NEWER_STARTER = true;\n`);
  edit('playwright.config.ts', (text) => `${text}\n// The newer starter's last line.\n`);
  edit('package.json', (text) => text.replace(`"version": "${version}"`, `"version": "${newer}"`));
  edit('CHANGELOG.md', (text) =>
    text.replace('## [', `## [${newer}] - 2027-01-04\n\n### Changed\n\n- The settings module says hello.\n\n## [`),
  );
  await commit(starter, `Version ${newer}`);
  return newer;
}

/** Every file of the team's: tests/, api/ and .env, with their contents. */
async function teamFiles(copy: string) {
  const { stdout } = await run('git', ['ls-files', '--', 'tests', 'api'], { cwd: copy });
  const files = [...stdout.split('\n').filter(Boolean), '.env'];
  return Object.fromEntries(files.map((file) => [file, readFileSync(path.join(copy, file), 'utf8')]));
}

test.describe.configure({ mode: 'parallel' });

test('a newer starter is merged into an adopted copy, the team files untouched, and the suite passes', async () => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'starter-update-'));
  const api = buildApp(parseDemoConfig({ DEMO_API_KEYS: `user=${apiKey}` }));
  const baseUrl = await api.listen({ port: 0, host: '127.0.0.1' });
  try {
    const { starter, version } = await starterRepository(dir);
    const copy = await adoptedCopy(dir, starter, baseUrl);
    // The team changed a core file too, elsewhere than the starter will.
    writeFileSync(
      path.join(copy, 'playwright.config.ts'),
      `// Our team's note.\n${readFileSync(path.join(copy, 'playwright.config.ts'), 'utf8')}`,
    );
    await commit(copy, 'A note of ours');
    const ours = await teamFiles(copy);
    const newer = await releaseNewer(starter, version);

    const update = await inDir(copy)('npm', ['run', '--silent', 'starter:update', '--', starter]);
    expect(update).toMatchObject({ code: 0, stderr: '' });
    expect(update.stdout).toMatch(new RegExp(`^Starter ${version} \\(\\w{7}\\) → ${newer} \\(\\w{7}\\)`));
    expect(update.stdout).toContain('  updated   helpers/env.ts\n');
    expect(update.stdout).toContain('  merged    playwright.config.ts\n');
    expect(update.stdout).toContain(
      `  ## [${newer}] - 2027-01-04\n\n  ### Changed\n\n  - The settings module says hello.`,
    );
    expect(update.stdout.split('\n').filter((line) => line.length > 120)).toEqual([]);

    expect(readFileSync(path.join(copy, 'helpers/env.ts'), 'utf8')).toContain('export const NEWER_STARTER = true;');
    const config = readFileSync(path.join(copy, 'playwright.config.ts'), 'utf8');
    expect([
      config.startsWith("// Our team's note.\n"),
      config.endsWith("// The newer starter's last line.\n"),
    ]).toEqual([true, true]);
    expect(JSON.parse(readFileSync(path.join(copy, '.starter.json'), 'utf8'))).toMatchObject({ version: newer });
    expect(await teamFiles(copy)).toEqual(ours);
    const suite = await inDir(copy)('npx', ['playwright', 'test', '--reporter=list']);
    // The role-clients pattern runs, its setting filled in; the other pattern specs skip.
    expect(suite.stdout).toMatch(/\b2 passed\b/);
    expect(suite.code).toBe(0);
  } finally {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a core line the team changed too is left as a conflict, marked in the file and reported', async () => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'starter-update-'));
  try {
    const { starter, version } = await starterRepository(dir);
    const copy = await adoptedCopy(dir, starter, 'http://127.0.0.1:9');
    appendFileSync(path.join(copy, 'helpers/env.ts'), '\nexport const OURS = true;\n');
    await commit(copy, 'A line of ours at the end of the settings');
    const ours = await teamFiles(copy);
    const newer = await releaseNewer(starter, version);

    const update = await inDir(copy)('npm', ['run', '--silent', 'starter:update', '--', starter]);
    expect(update.code).toBe(1);
    expect(update.stdout).toContain('  CONFLICT  helpers/env.ts: 1 conflict marked in the file\n');
    expect(update.stdout).toContain('1 file needs your decision (CONFLICT above).');
    const settings = readFileSync(path.join(copy, 'helpers/env.ts'), 'utf8');
    expect(settings.slice(settings.indexOf('<<<<<<<'))).toBe(
      [
        '<<<<<<< yours',
        '',
        'export const OURS = true;',
        `||||||| starter ${version}`,
        '=======',
        '',
        '/** Added by the newer starter. */',
        'export const NEWER_STARTER = true;',
        `>>>>>>> starter ${newer}`,
        '',
      ].join('\n'),
    );
    // What did not conflict is merged all the same.
    expect(readFileSync(path.join(copy, 'playwright.config.ts'), 'utf8')).toContain(
      "// The newer starter's last line.",
    );
    expect(await teamFiles(copy)).toEqual(ours);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a copy made without the starter history is merged against the commit that released its version', async () => {
  test.setTimeout(300_000);
  const dir = mkdtempSync(path.join(tmpdir(), 'starter-update-'));
  try {
    const { starter, version } = await starterRepository(dir);
    const copy = await adoptedCopy(dir, starter, 'http://127.0.0.1:9', { clone: false });
    const newer = await releaseNewer(starter, version);
    const { stdout: released } = await run('git', ['rev-list', '--max-parents=0', 'HEAD'], { cwd: starter });

    const update = await inDir(copy)('npm', ['run', '--silent', 'starter:update', '--', starter, newer]);
    expect(update).toMatchObject({ code: 0, stderr: '' });
    expect(update.stdout).toContain(`Starter ${version} (${released.slice(0, 7)}) → ${newer}`);
    expect(update.stdout).toContain('  updated   helpers/env.ts\n');
    await inDir(copy)('git', ['add', '-A']);
    await commit(copy, 'The newer starter');
    const again = await inDir(copy)('npm', ['run', '--silent', 'starter:update', '--', starter]);
    expect(again.stdout).toContain(`Already at the starter's ${newer}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
