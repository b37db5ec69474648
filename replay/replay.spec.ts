import { readEnv } from '../helpers/env';
import { replayExchange } from '../helpers/replay/engine';
import { endpointOf } from '../helpers/replay/rules';
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
      // Named after the endpoint, not the recorded ids: the same test keeps its name in every recording.
      const endpoint = endpointOf(replayConfig, exchange.method, exchange.path);

      test(`${endpoint} as ${exchange.identity} #${exchange.sequence}`, async ({
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
          body: JSON.stringify(outcome, null, 2),
          contentType: 'application/json',
        });
        expect(outcome).toMatchBaseline();
      });
    }
  });
}
