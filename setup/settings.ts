import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ENVIRONMENT_NAME, EnvError } from '../helpers/env';

const ROOT = path.join(__dirname, '..');

/**
 * Fills process.env for the config and the scripts; variables set in the shell win. API_ENV=<name>
 * (from the shell, or from .env) selects .env.<name>, whose settings win over those of .env. With
 * BASE_URL unset, the embedded API's own settings follow (demo-api/demo.env, while the demo is here:
 * `npm run adopt` removes it), again without overriding anything. A missing or misnamed environment
 * file is an EnvError naming it.
 */
export function loadSettings(root = ROOT): void {
  const shared = path.join(root, '.env');
  const environment = process.env['API_ENV'] || sharedSetting(shared, 'API_ENV');
  if (environment) {
    if (!ENVIRONMENT_NAME.test(environment)) {
      throw new EnvError(
        `Invalid setting API_ENV: expected a name of letters, digits, - or _, such as staging, got ${JSON.stringify(environment)}.`,
      );
    }
    const file = path.join(root, `.env.${environment}`);
    if (!existsSync(file)) {
      throw new EnvError(
        `Missing file .env.${environment}: API_ENV=${environment} takes its settings from it (copy .env.example).`,
      );
    }
    process.env['API_ENV'] = environment;
    fill(file);
  }
  fill(shared);
  const embedded = path.join(root, 'demo-api', 'demo.env');
  if (!process.env['BASE_URL'] && existsSync(embedded)) fill(embedded);
}

/** Sets what the file sets and the environment does not have yet. */
function fill(file: string): void {
  if (!existsSync(file)) return;
  const settings = readSettingsFile(file);
  for (const [key, value] of Object.entries(settings)) process.env[key] ??= value;
}

function sharedSetting(file: string, key: string): string | undefined {
  return existsSync(file) ? readSettingsFile(file)[key] : undefined;
}

/**
 * A settings file's keys and values. A key set twice is an EnvError naming both lines: with dotenv the
 * later one would silently win, an empty `KEY=` included, over the value filled in above it.
 */
export function readSettingsFile(file: string): Record<string, string> {
  const text = readFileSync(file, 'utf8');
  const firstLine = new Map<string, number>();
  text.split(/\r?\n/).forEach((line, index) => {
    const key = /^\s*(?:export\s+)?([\w.-]+)\s*=/.exec(line)?.[1];
    if (key === undefined) return;
    const earlier = firstLine.get(key);
    if (earlier !== undefined) {
      throw new EnvError(
        `Setting ${key} is set twice in ${path.basename(file)}, on lines ${earlier} and ${index + 1}: keep one of them.`,
      );
    }
    firstLine.set(key, index + 1);
  });
  return dotenv.parse(text);
}
