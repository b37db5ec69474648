import { type WorkerLogins, auditRoleLogins, successfulLogins } from '../../helpers/login-audit';
import { expect, test } from '../../fixtures';

test('logins fit when each worker logged in once, plus its renewals', () => {
  const workers: WorkerLogins[] = [
    { user: { logins: 1, renewals: 0 } },
    { user: { logins: 2, renewals: 1 }, admin: { logins: 1, renewals: 0 } },
  ];
  expect(auditRoleLogins('user', 3, workers)).toEqual({
    role: 'user',
    serverLogins: 3,
    workers: 2,
    renewals: 1,
    ok: true,
  });
  expect(auditRoleLogins('admin', 1, workers)).toMatchObject({ workers: 1, ok: true });
});

test('more logins than workers and renewals means something logs in per test', () => {
  const workers: WorkerLogins[] = [{ user: { logins: 1, renewals: 0 } }];
  expect(auditRoleLogins('user', 5, workers)).toMatchObject({ ok: false });
});

test('only successful logins of the demo API counters count', () => {
  const stats = { routes: { 'POST /api/v1/auth/login': { count: 4, byStatus: { '200': 3, '401': 1 } } } };
  expect(successfulLogins(stats)).toBe(3);
  expect(successfulLogins({ routes: {} })).toBe(0);
});
