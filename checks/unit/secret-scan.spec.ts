import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import AdmZip from 'adm-zip';
import { parseEnv } from '../../helpers/env';
import { fingerprint, fingerprintKey } from '../../helpers/secrets/fingerprints';
import { type KnownSecrets, findLeaks, findLeaksInName } from '../../helpers/secrets/scan';
import { expect, test } from '../../fixtures';

// Assembled at run time: written out whole, a fake secret in this file would show in the reports'
// code excerpts and set off the secret scan.
const jwt = ['eyJhbGciOiJIUzI1NiJ9', 'eyJzdWIiOiJ1c3JfMSJ9', 'c2lnbmF0dXJlLXNpZ25hdHVyZQ'].join('.');
const bearer = ['Bearer', 'abcdefgh12345'].join(' ');
const setting = ['partner', 'key', '8Hd3Lq'].join('-');
const learnt = ['tok', 'live', 'Zx81qPv3RmJ2'].join('-');
const password = ['p@ss', 'w0rd+Zq'].join('/');
const env = parseEnv({
  BASE_URL: 'http://api.test',
  ROLES: 'partner',
  AUTH: 'token',
  PARTNER_TOKEN: setting,
});
const key = fingerprintKey(env)!;
const known: KnownSecrets = {
  values: [{ name: 'PARTNER_TOKEN', value: setting }],
  fingerprints: { key, hashes: new Set([fingerprint(key, learnt), fingerprint(key, password)]) },
};
const nothingKnown: KnownSecrets = { values: [] };
const scan = (text: string | Buffer, secrets = known) =>
  findLeaks('report', Buffer.isBuffer(text) ? text : Buffer.from(text), secrets).map(({ secret, forms }) => [
    secret,
    forms.join(', '),
  ]);

test('redacted reports have no leaks', () => {
  const report = '{"authorization":"[REDACTED]","password":"[REDACTED]","note":"Bearer [REDACTED]"}';
  expect(scan(report)).toEqual([]);
});

test('a secret setting and a secret of the run are found, and never shown', () => {
  const leaks = findLeaks('report', Buffer.from(`key ${setting} then ${learnt}.`), known);
  expect(leaks).toEqual([
    {
      where: 'report',
      secret: 'the value of PARTNER_TOKEN',
      forms: ['in clear'],
      count: 1,
      excerpt: 'key ‹18 secret characters› then ‹21 secret characters›',
    },
    {
      where: 'report',
      secret: 'a secret of the run',
      forms: ['in clear'],
      count: 1,
      excerpt: 'key ‹18 secret characters› then ‹21 secret characters›.',
    },
  ]);
});

test('secrets are found in the forms reports write them in', () => {
  const offset = (text: string, prefix: string) => Buffer.from(`${prefix}${text} `).toString('base64');
  const cases: Array<[string | Buffer, string[][]]> = [
    [`d("data/a.txt","${offset(setting, '..')}")`, [['the value of PARTNER_TOKEN', 'base64']]],
    [`d("data/b.txt","${offset(learnt, ':')}")`, [['a secret of the run', 'base64']]],
    [`/login?password=${encodeURIComponent(password)}`, [['a secret of the run', 'URL-encoded']]],
    [JSON.stringify(JSON.stringify({ token: learnt })), [['a secret of the run', 'in clear']]],
    [
      JSON.stringify({ message: `"tok-live-\u001b[7mZx81qPv3RmJ2\u001b[27m"` }),
      [['a secret of the run', 'split by colour codes']],
    ],
    [gzipSync(`a ${setting}`), [['the value of PARTNER_TOKEN', 'in clear']]],
  ];
  for (const [report, expected] of cases) expect(scan(report)).toEqual(expected);
});

test('inside the archive a Playwright HTML report embeds, the entry is named', () => {
  const zip = new AdmZip();
  zip.addFile('report.json', Buffer.from(JSON.stringify({ error: `got ${learnt}` })));
  const page = `<script>window.playwrightReportBase64 = "data:application/zip;base64,${zip.toBuffer().toString('base64')}";</script>`;
  const [leak] = findLeaks('index.html', Buffer.from(page), known);
  expect(leak?.where).toMatch(/^index\.html \(base64 at \d+\) › report\.json$/);
  expect(leak?.secret).toBe('a secret of the run');
});

test('code quoted from a failing spec is no finding; a credential hard-coded in it is', () => {
  const source = [
    '  12 |   const Echo = z.object({ Authorization: z.number(), token: z.string() });',
    '  13 |   await api.get(`/x`, { headers: { authorization: `Bearer ${token}` } });',
    '  14 |   expect(body).toEqual({ password: process.env.PASSWORD });',
  ].join('\n');
  expect(scan(source, nothingKnown)).toEqual([]);
  const hardCoded = `${source}\n  15 |   const key = '${setting}'; // ${bearer}\n  16 |   const session = '${jwt}';`;
  expect(scan(hardCoded).map(([secret]) => secret)).toEqual([
    'the value of PARTNER_TOKEN',
    'a JSON Web Token (68 characters)',
    'an Authorization credential (13 characters)',
  ]);
});

test('a secret in a file or folder name is found, as Playwright writes names', () => {
  expect(findLeaksInName('test-results', 'spec-a-title-partner-key-8Hd3Lq/error-context.md', known)).toHaveLength(1);
  expect(findLeaksInName('test-results', 'spec-a-title-api/error-context.md', known)).toEqual([]);
});

test('fingerprints are keyed: the same secret has other fingerprints under another key, none is its plain hash', () => {
  const other = fingerprintKey(
    parseEnv({ BASE_URL: 'http://api.test', ROLES: 'partner', AUTH: 'token', PARTNER_TOKEN: 'other-key-1' }),
  )!;
  expect(fingerprint(key, learnt)).not.toBe(fingerprint(other, learnt));
  expect(key.id).not.toBe(other.id);
  expect(fingerprint(key, learnt)).not.toBe(createHash('sha256').update(learnt).digest('hex'));
  // The key never shows in its id, and SECRET_SCAN_KEY keys every environment alike.
  expect(key.id).not.toContain(key.key.toString('hex').slice(0, 8));
  const shared = (token: string) =>
    fingerprintKey(
      parseEnv({ BASE_URL: 'http://api.test', AUTH: 'token', USER_TOKEN: token, SECRET_SCAN_KEY: 'scan-key-4Fz9' }),
    );
  expect(shared('staging-key-1')!.id).toBe(shared('production-key-2')!.id);
  expect(fingerprintKey(parseEnv({ BASE_URL: 'http://api.test', AUTH: 'none' }))).toBeUndefined();
});
