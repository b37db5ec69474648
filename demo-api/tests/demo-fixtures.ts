import { type APIRequestContext, expect, test as base } from '@playwright/test';
import { buildApp } from '../app';
import { parseDemoConfig } from '../config';

export type DemoInstance = {
  api: APIRequestContext;
  /** Where the instance listens, for clients other than `api` (fetch, WebSocket). */
  baseURL: string;
  /** Signs up a fresh user on this instance and returns its Authorization header. */
  signUp: (email?: string) => Promise<{ authorization: string; email: string; password: string }>;
};

// Each test starts its own instances, in process and on a free port, with exactly the settings
// it is about; whatever DEMO_FAULTS the surrounding run was given does not reach them. Only
// @playwright/test is used, so that these tests run under any config, without the project's fixtures.
export const test = base.extend<{ startDemoApi: (settings?: Record<string, string>) => Promise<DemoInstance> }>({
  startDemoApi: async ({ playwright }, use, testInfo) => {
    const cleanups: Array<() => Promise<unknown>> = [];
    let users = 0;
    await use(async (settings = {}) => {
      const app = buildApp(parseDemoConfig({ DEMO_LATENCY_SCALE: '0.1', ...settings }));
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const api = await playwright.request.newContext({ baseURL: address });
      cleanups.push(
        () => api.dispose(),
        () => app.close(),
      );
      const signUp = async (email = `demo-${testInfo.testId}-${(users += 1)}@demo.test`) => {
        const password = 'password-123';
        const signUp = await api.post('/api/v1/users', { data: { email, password } });
        expect(signUp.status()).toBe(201);
        const login = await api.post('/api/v1/auth/login', { data: { email, password } });
        expect(login.status()).toBe(200);
        const { token } = (await login.json()) as { token: string };
        return { authorization: `Bearer ${token}`, email, password };
      };
      return { api, baseURL: address, signUp };
    });
    for (const cleanup of cleanups.reverse()) await cleanup();
  },
});

export { expect };
