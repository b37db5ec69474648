import { existsSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

// The embedded demo API's settings, while it is here (`npm run adopt` removes it with demo-api/).
const EMBEDDED_SETTINGS = path.join(__dirname, '..', 'demo-api', 'demo.env');

/**
 * Fills process.env from .env, for the config and the scripts; variables set in the shell win.
 * With BASE_URL unset, the embedded API's own settings follow, again without overriding anything.
 */
export function loadSettings(): void {
  dotenv.config({ path: path.join(__dirname, '..', '.env'), quiet: true });
  if (!process.env['BASE_URL'] && existsSync(EMBEDDED_SETTINGS))
    dotenv.config({ path: EMBEDDED_SETTINGS, quiet: true });
}
