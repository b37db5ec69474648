import { type Env, EnvError, readEnv } from '../helpers/env';
import { loadSettings } from '../setup/settings';

/**
 * The settings of the run, for a reporter; undefined when they do not parse. `playwright merge-reports`
 * reads merge.config.ts, which loads no .env: the scripts' loader fills in.
 */
export function envOfThisRun(): Env | undefined {
  const env = envOrUndefined();
  if (env) return env;
  try {
    loadSettings();
  } catch (error) {
    if (!(error instanceof EnvError)) throw error;
    console.error(error.message);
    return undefined;
  }
  return envOrUndefined();
}

function envOrUndefined(): Env | undefined {
  try {
    return readEnv();
  } catch (error) {
    if (error instanceof EnvError) return undefined;
    throw error;
  }
}
