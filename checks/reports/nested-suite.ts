import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const ROOT = path.join(__dirname, '..', '..');

// A few of the example specs against an embedded demo API of their own: the polled image generation
// (two ready waits), and a login 500 that a test provokes on purpose.
export const SUBSET = '(polled to completion|completes and its result matches|a 500 during provisioning)';

export type Outcome = { status: number; stdout: string; stderr: string };

/**
 * Runs a command of the project in `dir` as a user would from the repository: the suite's outputs
 * (allure-results, reports, .history, allure-report) land in `dir`. The environment is a clean one,
 * so that the nested run does not take itself for a worker of this one.
 */
export async function inDir(dir: string, args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd: dir,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      maxBuffer: 20 * 1024 * 1024,
    });
    return { status: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { status: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The subset of the suite, in `dir`, against its own demo API on a free port. */
export async function runSuite(dir: string, env: Record<string, string> = {}): Promise<Outcome> {
  return inDir(
    dir,
    [
      require.resolve('@playwright/test/cli'),
      'test',
      '-c',
      path.join(ROOT, 'playwright.config.ts'),
      '--grep',
      SUBSET,
      '--output',
      path.join(dir, 'test-results'),
    ],
    {
      EMBEDDED_API_PORT: String(await freePort()),
      PLAYWRIGHT_HTML_OUTPUT_DIR: path.join(dir, 'playwright-report'),
      ...env,
    },
  );
}

/** `npm run <script>` of a TypeScript script, in `dir`. */
export function script(dir: string, file: string, args: string[] = [], env: Record<string, string> = {}) {
  return inDir(dir, ['--import', 'tsx', path.join(ROOT, 'scripts', file), ...args], env);
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A widget of a single-file Allure report: its data is embedded as `d("<path>","<base64 JSON>")`. */
export function reportData<T>(reportFile: string, widget: string): T {
  const html = readFileSync(reportFile, 'utf8');
  const escaped = widget.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const encoded = new RegExp(`d\\("${escaped}","([A-Za-z0-9+/=]+)"`).exec(html)?.[1];
  if (encoded === undefined) throw new Error(`${reportFile} has no ${widget}`);
  return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as T;
}
