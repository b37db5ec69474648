import { findLeaks, fingerprint } from '../../helpers/secrets/scan';
import { expect, test } from '../../fixtures';

const nothingKnown = { values: [], fingerprints: new Set<string>() };
// Assembled at run time: written out whole, a fake secret in this file would show in the reports'
// code excerpts and set off the secret scan.
const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ1c3JfMSJ9', 'c2lnbmF0dXJlLXNpZ25hdHVyZQ'].join('.');
const bearer = ['Bearer', 'abcdefgh12345'].join(' ');

test('redacted reports have no leaks', () => {
  const report = '{"authorization":"[REDACTED]","password":"[REDACTED]","note":"Bearer [REDACTED]"}';
  expect(findLeaks(report, nothingKnown)).toEqual([]);
});

test('tokens, Bearer values and secret fields are found without a list of secrets', () => {
  const report = `${JSON.stringify({ token: 'abc' })} Authorization: ${bearer} ${jwt}`;
  expect(findLeaks(report, nothingKnown).map((leak) => leak.kind)).toEqual([
    'secret field',
    'Authorization value',
    'JSON Web Token',
  ]);
});

test('configured passwords and fingerprinted secrets of the run are found, and never shown', () => {
  const fresh = 'Zx9fresh-password_0123';
  const leaks = findLeaks(`login with s3cr3t! then ${fresh}.`, {
    values: ['s3cr3t!'],
    fingerprints: new Set([fingerprint(fresh)]),
  });
  expect(leaks).toEqual([
    { kind: 'secret setting', excerpt: 'login with ‹7 secret characters› then ‹22 secret characters›' },
    { kind: 'secret from the run', excerpt: 'login with ‹7 secret characters› then ‹22 secret characters›.' },
  ]);
});
