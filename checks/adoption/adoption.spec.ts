import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { buildApp } from '../../demo-api/app';
import { parseDemoConfig } from '../../demo-api/config';

const run = promisify(execFile);
const root = path.join(__dirname, '..', '..');
const apiKey = ['adoption', 'check', 'key', '4f7Qz9'].join('-');

// A team adopts the starter as the README says: a copy of the repository, `npm run adopt`, settings
// in .env only. Its API here is the demo API, started apart as a black box that takes API keys.
test('an adopted copy passes lint, type check and its suite against a token API, core untouched', async () => {
  test.setTimeout(300_000);
  const copy = mkdtempSync(path.join(tmpdir(), 'adopted-'));
  const api = buildApp(parseDemoConfig({ DEMO_API_KEYS: `user=${apiKey}` }));
  const baseUrl = await api.listen({ port: 0, host: '127.0.0.1' });
  // Only the settings that a new machine has: no BASE_URL or credentials of the surrounding run.
  const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? copy, CI: 'true' };
  const inCopy = (file: string, args: string[]) => run(file, args, { cwd: copy, env, maxBuffer: 16 * 1024 * 1024 });
  try {
    const { stdout: files } = await run('git', ['ls-files', '-co', '--exclude-standard'], { cwd: root });
    for (const file of files.split('\n').filter(Boolean)) cpSync(path.join(root, file), path.join(copy, file));
    symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
    await inCopy('git', ['init', '-q']);
    await inCopy('git', ['add', '-A']);
    await inCopy('git', ['-c', 'user.name=check', '-c', 'user.email=check@example.test', 'commit', '-qm', 'copy']);

    const adopted = await inCopy('npx', ['tsx', 'scripts/adopt.ts', '--base-url', baseUrl, '--auth', 'token', '--yes']);
    expect(adopted.stdout).toContain(`Adopted for ${baseUrl} (AUTH=token)`);
    // What the team writes into .env: its key, in its API's header, without a scheme.
    writeFileSync(
      path.join(copy, '.env'),
      `BASE_URL=${baseUrl}\nAUTH=token\nUSER_TOKEN=${apiKey}\nAUTH_HEADER=X-API-Key\nAUTH_SCHEME=\nSLA_API_READINESS_MS=10000\n`,
    );

    await inCopy('npm', ['run', 'lint']);
    await inCopy('npm', ['run', 'typecheck']);
    const suite = await inCopy('npx', ['playwright', 'test', '--reporter=list']);
    expect(suite.stdout).toMatch(/\b3 passed\b/);
    const { stdout: core } = await inCopy('git', ['status', '--porcelain', '--', 'helpers', 'fixtures']);
    expect(core).toBe('');
    const again = await inCopy('npm', ['run', 'adopt', '--', '--yes']).catch((error: { stderr: string }) => error);
    expect(String((again as { stderr?: string }).stderr)).toContain('Already adopted');
  } finally {
    await api.close();
    rmSync(copy, { recursive: true, force: true });
  }
});
