import { readEnv } from '../helpers/env';
import { describeDifferences, replayExchange } from '../helpers/replay/engine';
import { readRecording } from '../helpers/replay/recording';
import { REPLAY_ATTACHMENT } from '../helpers/replay/summary';
import { expect, test } from '../fixtures';
import { replayConfig } from './replay.config';

// Every recorded exchange becomes a test: sent to the candidate (after the writes recorded before it
// in the same test) and compared with the recorded response, or in live mode with the baseline's.
const replay = readEnv().replay;
const sessions = replay ? readRecording(replay.recording) : new Map<string, never[]>();

for (const exchanges of sessions.values()) {
  test.describe(exchanges[0]!.title, () => {
    for (const exchange of exchanges) {
      test(`${exchange.method} ${exchange.path} as ${exchange.identity} #${exchange.sequence}`, async ({
        replayTargets,
        redactor,
      }, testInfo) => {
        const outcome = await replayExchange({
          config: replayConfig,
          session: exchanges,
          exchange,
          ...replayTargets,
          redactor,
        });
        await testInfo.attach(REPLAY_ATTACHMENT, {
          body: JSON.stringify({ method: exchange.method, path: exchange.path, ...outcome }, null, 2),
          contentType: 'application/json',
        });
        expect(outcome.differences, describeDifferences(outcome, exchange)).toEqual([]);
      });
    }
  });
}
