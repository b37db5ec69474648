// Scans everything a run leaves behind for its secrets: the secret settings, the secrets its workers
// learnt (by their keyed fingerprints), and values shaped like credentials, in clear and encoded.
// Usage: npm run scan:secrets [-- folder-or-file ...]   (exits 1 when it finds one)
import { existsSync } from 'node:fs';
import { readEnv } from '../helpers/env';
import { fingerprintKey } from '../helpers/secrets/fingerprints';
import { type KnownSecret, type KnownSecrets } from '../helpers/secrets/scan';
import { fingerprintsUnder, scanPaths } from '../helpers/secrets/scan-files';
import { loadSettings } from '../setup/settings';

loadSettings();

// Every folder a run, a merge, a report build or a sharded run writes.
const DEFAULT_PATHS = [
  'test-results',
  'playwright-report',
  'blob-report',
  'all-blob-reports',
  'allure-results',
  'allure-report',
  '.history',
  'reports',
  'recordings',
  'shards',
];
const LISTED = 200;

const env = readEnv();
const paths = (process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_PATHS).filter((entry) => existsSync(entry));
// Each value named after the setting it comes from; the settings themselves are never printed.
const values: KnownSecret[] = env.secrets.map((value) => ({
  value,
  name: env.secretSettings.find((name) => env.source[name]?.includes(value)) ?? 'a secret setting',
}));
const key = fingerprintKey(env);
const learnt = key ? fingerprintsUnder(paths, key) : undefined;
// Scanning other folders (recordings/, a CI log), the run's fingerprints are still where it left them.
const elsewhere = key
  ? fingerprintsUnder(
      DEFAULT_PATHS.filter((dir) => !paths.includes(dir) && existsSync(dir)),
      key,
    )
  : undefined;
for (const hash of elsewhere?.hashes ?? []) learnt?.hashes.add(hash);
const known: KnownSecrets = { values, fingerprints: key && learnt ? { key, hashes: learnt.hashes } : undefined };
const { leaks, files } = scanPaths(paths, known);

if (files === 0) {
  console.error(
    `Secret scan: nothing to scan in ${paths.length > 0 ? paths.join(', ') : DEFAULT_PATHS.join(', ')}; run the suite first.`,
  );
  process.exit(1);
}
const scope =
  `${files} files in ${paths.join(', ')}; ${values.length} secret settings, ` +
  `${learnt?.hashes.size ?? 0} secrets of the run by their fingerprints`;
if (!key) {
  console.warn(
    'Secret scan: no key for fingerprints (no role has a credential, SECRET_SCAN_KEY is unset): secrets learnt during the run are not recognised.',
  );
} else if (learnt && learnt.otherKeys > 0) {
  console.warn(
    `Secret scan: ${learnt.otherKeys} fingerprint files were written with another key (another environment's ` +
      'credentials?): their secrets are not recognised. Give every environment the same SECRET_SCAN_KEY.',
  );
}
if (leaks.length === 0) {
  console.log(`Secret scan: no secrets in ${scope}.`);
} else {
  console.error(`Secret scan: ${leaks.length} ${leaks.length === 1 ? 'finding' : 'findings'} in ${scope}:`);
  for (const leak of leaks.slice(0, LISTED)) {
    console.error(`  ${leak.where}: ${leak.secret}, ${leak.forms.join(', ')}, ${leak.count}× …${leak.excerpt}…`);
  }
  if (leaks.length > LISTED) console.error(`  … and ${leaks.length - LISTED} more findings, not listed.`);
  process.exit(1);
}
