import { readEnv } from '../helpers/env';
import { replayExchange } from '../helpers/replay/engine';
import { readRecording } from '../helpers/replay/recording';
import { endpointOf } from '../helpers/replay/rules';
import { REPLAY_ATTACHMENT } from '../helpers/replay/summary';
import { expect, test } from './fixtures';
import { replayRules } from './rules';
import { replaySettings } from './settings';

// Every recorded exchange becomes a test: sent to the candidate (after the writes recorded before it
// in the same test) and compared with the recorded response, or in live mode with the baseline's.
const sessions = readRecording(replaySettings(readEnv()).recording);

for (const exchanges of sessions.values()) {
  test.describe(exchanges[0]!.title, () => {
    for (const exchange of exchanges) {
      // Named after the endpoint, not the recorded ids: the same test keeps its name in every recording.
      const endpoint = endpointOf(replayRules, exchange.method, exchange.path);

      test(`${endpoint} as ${exchange.identity} #${exchange.sequence}`, async ({
        replayTargets,
        redactor,
      }, testInfo) => {
        const outcome = await replayExchange({
          config: replayRules,
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
