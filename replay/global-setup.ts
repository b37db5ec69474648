import { request } from '@playwright/test';
import { readEnv } from '../helpers/env';
import { describeUnreachableTarget } from '../helpers/http/health-check';
import { replaySettings } from './settings';

// Before a replay: every environment it talks to must answer, checked once. A replay of recorded
// answers needs no baseline, so only a live replay checks BASE_URL.
export default async function checkReplayTargetsAnswer() {
  const env = readEnv();
  const replay = replaySettings(env);
  const targets = [
    { name: 'replay candidate', url: replay.candidateURL, key: 'REPLAY_CANDIDATE_URL' },
    ...(replay.mode === 'live' ? [{ name: 'baseline', url: env.baseURL, key: 'BASE_URL' }] : []),
    ...(replay.noiseBaselineURL
      ? [{ name: 'second baseline', url: replay.noiseBaselineURL, key: 'REPLAY_NOISE_BASELINE_URL' }]
      : []),
  ];
  const context = await request.newContext({ timeout: 5_000 });
  try {
    for (const target of targets) {
      const problem = await describeUnreachableTarget(`${target.url}${env.healthPath}`, async (url) =>
        (await context.get(url, { maxRetries: 0 })).status(),
      );
      if (problem === null) continue;
      const error = new Error(`The ${target.name} is unreachable: ${problem} Start it, or correct ${target.key}.`);
      error.stack = `${error.name}: ${error.message}`;
      throw error;
    }
  } finally {
    await context.dispose();
  }
}
