import type { APIRequestContext } from '@playwright/test';
import { roleAuth } from '../helpers/http/auth';
import { type ApiClient, type AuthSource, createApiClient } from '../helpers/http/client';
import { jsonOrText } from '../helpers/contracts/body';
import { type ReplayOutcome, type ReplayTarget, describeDifferences } from '../helpers/replay/engine';
import { expect as coreExpect, test as core } from '../fixtures';
import { type Replay, replaySettings } from './settings';

type ReplayTargets = { candidate: ReplayTarget; baseline?: ReplayTarget; secondBaseline?: ReplayTarget };

type ReplayWorkerFixtures = {
  replay: Replay;
  /** Per environment and role, one credential: obtained once per worker, like the role fixtures. */
  _replaySessions: (baseURL: string, role: string) => Promise<AuthSource | undefined>;
};

export const test = core.extend<{ replayTargets: ReplayTargets }, ReplayWorkerFixtures>({
  replay: [async ({ env }, use) => use(replaySettings(env)), { scope: 'worker', box: true }],

  _replaySessions: [
    async ({ playwright, env, redactor }, use) => {
      const contexts = new Map<string, APIRequestContext>();
      const sessions = new Map<string, AuthSource | undefined>();
      await use(async (baseURL, role) => {
        const key = `${baseURL} ${role}`;
        if (!sessions.has(key)) {
          let context = contexts.get(baseURL);
          if (!context) {
            context = await playwright.request.newContext({ baseURL, timeout: env.requestTimeoutMs });
            contexts.set(baseURL, context);
          }
          sessions.set(key, roleAuth(context, env, role, redactor));
        }
        return sessions.get(key);
      });
      for (const context of contexts.values()) await context.dispose();
    },
    { scope: 'worker', box: true },
  ],

  replayTargets: async ({ playwright, env, replay, _replaySessions, _reportExchange }, use) => {
    const contexts: APIRequestContext[] = [];
    const targetAt = async (name: string, baseURL: string): Promise<ReplayTarget> => {
      const context = await playwright.request.newContext({ baseURL, timeout: env.requestTimeoutMs });
      contexts.push(context);
      const clients = new Map<string, ApiClient>();
      const clientFor = async (identity: string) => {
        let client = clients.get(identity);
        if (!client) {
          if (identity !== 'anonymous' && !env.roles.includes(identity)) {
            throw new Error(`Cannot replay as "${identity}": not one of ROLES (${env.roles.join(',')}).`);
          }
          const auth = identity === 'anonymous' ? undefined : await _replaySessions(baseURL, identity);
          client = createApiClient(context, {
            ...(auth ? { auth } : {}),
            identity: `${identity} @ ${name}`,
            report: _reportExchange,
          });
          clients.set(identity, client);
        }
        return client;
      };
      return {
        name,
        send: async (request) => {
          const response = await (
            await clientFor(request.identity)
          ).fetch(request.path, {
            method: request.method,
            headers: request.headers,
            ...(request.body === undefined ? {} : { data: request.body }),
            maxRetries: 0,
          });
          return { status: response.status(), body: jsonOrText(await response.text()) };
        },
      };
    };
    await use({
      candidate: await targetAt('candidate', replay.candidateURL),
      ...(replay.mode === 'live' ? { baseline: await targetAt('baseline', env.baseURL) } : {}),
      ...(replay.noiseBaselineURL
        ? { secondBaseline: await targetAt('second baseline', replay.noiseBaselineURL) }
        : {}),
    });
    for (const context of contexts) await context.dispose();
  },
});

export const expect = coreExpect.extend({
  /** Passes when a replayed exchange shows no difference from its baseline that the rules leave standing. */
  toMatchBaseline(received: Pick<ReplayOutcome, 'differences' | 'request' | 'noise'>) {
    const name = 'toMatchBaseline';
    const pass = received.differences.length === 0;
    const hint = this.utils.matcherHint(name, 'replayed', '', { isNot: this.isNot });
    const message = pass
      ? () => `${hint}\n\n${received.request.method} ${received.request.path} matches its baseline.`
      : () => `${hint}\n\n${describeDifferences(received)}`;
    return { pass, message, name, expected: [], actual: received.differences };
  },
});
