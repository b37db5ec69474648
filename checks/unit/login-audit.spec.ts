import { expect, test } from '@playwright/test';
import { type WorkerLogins, auditRoleLogins, describeAudit, successfulLogins } from '../../helpers/http/login-audit';

const workers: WorkerLogins[] = [
  { user: { logins: 1, renewals: 0 } },
  { user: { logins: 2, renewals: 1 }, admin: { logins: 1, renewals: 0 } },
];

test('logins fit when each worker process logged in once per role, plus its renewals', () => {
  expect(auditRoleLogins('user', workers, 3)).toEqual({
    role: 'user',
    logins: 3,
    workers: 2,
    renewals: 1,
    serverLogins: 3,
    ok: true,
  });
  expect(auditRoleLogins('admin', workers, undefined)).toMatchObject({ workers: 1, ok: true });
  expect(describeAudit(auditRoleLogins('user', workers, 3))).toBe(
    'user: 3 logins in 2 worker processes, 1 renewal, 3 seen by the API',
  );
  expect(describeAudit(auditRoleLogins('admin', workers, undefined))).toBe(
    'admin: 1 login in 1 worker process, 0 renewals',
  );
});

test('more logins seen by the API than the sessions made means something logs in per test', () => {
  expect(auditRoleLogins('user', [{ user: { logins: 1, renewals: 0 } }], 5)).toMatchObject({ ok: false });
});

test('only successful logins of the request counters count', () => {
  const stats = { routes: { 'POST /login': { count: 4, byStatus: { '200': 3, '401': 1 } } } };
  expect(successfulLogins(stats, 'POST /login')).toBe(3);
  expect(successfulLogins({ routes: {} }, 'POST /login')).toBe(0);
});
