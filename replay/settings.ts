import { z } from 'zod';
import { type Env, settingsOf } from '../helpers/env';

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://rc.example.com' });

const ReplaySettings = z.object({
  RECORDING_FILE: z.string().default('recordings/suite.jsonl'),
  REPLAY_MODE: z.enum(['recorded', 'live'], { error: 'expected recorded or live' }).default('recorded'),
  REPLAY_CANDIDATE_URL: httpUrl.optional(),
  REPLAY_CANDIDATE_FAULTS: z.string().optional(),
  REPLAY_NOISE: z
    .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
    .optional()
    .transform((value) => value === 'true' || value === '1'),
  REPLAY_NOISE_BASELINE_URL: httpUrl.optional(),
});

export type Replay = Readonly<{
  /** The recording a run writes (`npm run record`) and a replay reads. */
  recording: string;
  /** recorded: compare with the recorded responses; live: ask the baseline (BASE_URL) again. */
  mode: 'recorded' | 'live';
  candidateURL: string;
  /** True when the replay starts an embedded API instance as the candidate (REPLAY_CANDIDATE_URL unset). */
  startsCandidate: boolean;
  candidateFaults: string | undefined;
  /** A second baseline for noise cancellation, if any. */
  noiseBaselineURL: string | undefined;
  startsNoiseBaseline: boolean;
}>;

/** The replay add-on's settings, validated like the core's. */
export function replaySettings(env: Env): Replay {
  const raw = settingsOf(env, ReplaySettings);
  const embedded = (offset: number) => env.embeddedApi && `http://127.0.0.1:${env.embeddedApi.port + offset}`;
  const candidateURL = raw.REPLAY_CANDIDATE_URL ?? embedded(1);
  if (!candidateURL) throw new Error('Missing setting REPLAY_CANDIDATE_URL: the environment to replay against.');
  const startsNoiseBaseline = raw.REPLAY_NOISE && raw.REPLAY_NOISE_BASELINE_URL === undefined && !!env.embeddedApi;
  return Object.freeze({
    recording: raw.RECORDING_FILE,
    mode: raw.REPLAY_MODE,
    candidateURL,
    startsCandidate: raw.REPLAY_CANDIDATE_URL === undefined,
    candidateFaults: raw.REPLAY_CANDIDATE_FAULTS,
    noiseBaselineURL: raw.REPLAY_NOISE_BASELINE_URL ?? (startsNoiseBaseline ? embedded(2) : undefined),
    startsNoiseBaseline,
  });
}
