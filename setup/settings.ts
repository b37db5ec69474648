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
    dotenv.config({ path: file, quiet: true });
  }
  dotenv.config({ path: shared, quiet: true });
  const embedded = path.join(root, 'demo-api', 'demo.env');
  if (!process.env['BASE_URL'] && existsSync(embedded)) dotenv.config({ path: embedded, quiet: true });
}

function sharedSetting(file: string, key: string): string | undefined {
  return existsSync(file) ? dotenv.parse(readFileSync(file))[key] : undefined;
}
