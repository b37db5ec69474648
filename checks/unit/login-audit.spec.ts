import { expect, test } from '@playwright/test';
import {
  type WorkerLogins,
  auditRoleLogins,
  describeAudit,
  describeAudits,
  successfulLogins,
} from '../../helpers/http/login-audit';

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
    '3 logins in 2 worker processes, 1 renewal, 3 seen by the API',
  );
});

test('the audit speaks of one login in one worker process, and of several in the plural', () => {
  expect(describeAudit(auditRoleLogins('admin', workers, undefined))).toBe('1 login in 1 worker process, no renewal');
  const busy = Array.from({ length: 3 }, () => ({ user: { logins: 2, renewals: 1 } }));
  expect(describeAudit(auditRoleLogins('user', busy, 6))).toBe(
    '6 logins in 3 worker processes, 3 renewals, 6 seen by the API',
  );
});

test('the audit is a heading and one line per role, aligned, none longer than 120 characters', () => {
  // A long role name and a stress run's figures.
  const many = Array.from({ length: 12_345 }, () => ({
    user: { logins: 1, renewals: 0 },
    integration_partner_readonly: { logins: 10, renewals: 9 },
  }));
  const lines = describeAudits([
    auditRoleLogins('user', many, 12_345),
    auditRoleLogins('integration_partner_readonly', many, 123_450),
  ]);
  expect(lines).toEqual([
    'Role logins: one per worker process and role, and one per renewal (docs/clients-and-auth.md).',
    '  user                          12345 logins in 12345 worker processes, no renewal, 12345 seen by the API',
    '  integration_partner_readonly  123450 logins in 12345 worker processes, 111105 renewals, 123450 seen by the API',
  ]);
  expect(lines.filter((line) => line.length > 120)).toEqual([]);
});

test('more logins seen by the API than the sessions made means something logs in per test', () => {
  expect(auditRoleLogins('user', [{ user: { logins: 1, renewals: 0 } }], 5)).toMatchObject({ ok: false });
});

test('only successful logins of the request counters count', () => {
  const stats = { routes: { 'POST /login': { count: 4, byStatus: { '200': 3, '401': 1 } } } };
  expect(successfulLogins(stats, 'POST /login')).toBe(3);
  expect(successfulLogins({ routes: {} }, 'POST /login')).toBe(0);
});
