// Scans everything a run leaves behind for passwords, tokens and Authorization values.
// Usage: npm run scan:secrets [-- dir ...]   (exits 1 when it finds one)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { readEnv } from '../helpers/env';
import { type KnownSecrets, type Leak, SECRET_FINGERPRINTS_DIR, findLeaks } from '../helpers/secrets/scan';
import { loadSettings } from '../setup/settings';

loadSettings();

const DEFAULT_DIRS = [
  'allure-results',
  'test-results',
  'playwright-report',
  'blob-report',
  'reports',
  'allure-report',
  'recordings',
];

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== SECRET_FINGERPRINTS_DIR) yield* filesUnder(full);
    } else if (entry.isFile()) {
      yield full;
    }
  }
}

/** The texts inside a file: itself, the entries of a zip, the zip a Playwright HTML report embeds. */
function* textsOf(file: string): Generator<[where: string, text: string]> {
  const content = readFileSync(file);
  if (file.endsWith('.zip')) {
    yield* zipTexts(file, content);
    return;
  }
  const text = content.toString('utf8');
  yield [file, text];
  const embedded = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/.exec(text);
  if (embedded?.[1]) yield* zipTexts(`${file} (embedded report)`, Buffer.from(embedded[1], 'base64'));
}

function* zipTexts(where: string, content: Buffer): Generator<[string, string]> {
  for (const entry of new AdmZip(content).getEntries()) {
    if (!entry.isDirectory) yield [`${where} › ${entry.entryName}`, entry.getData().toString('utf8')];
  }
}

function knownSecrets(): KnownSecrets {
  const env = readEnv();
  const fingerprints = new Set<string>();
  for (const dir of fingerprintDirs('test-results')) {
    for (const file of readdirSync(dir)) {
      for (const line of readFileSync(path.join(dir, file), 'utf8').split('\n')) if (line) fingerprints.add(line);
    }
  }
  // Every setting that holds a secret (helpers/env.ts says which), and what the run's workers learnt.
  return { values: env.secrets, fingerprints };
}

function* fingerprintDirs(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = path.join(dir, entry.name);
    if (entry.name === SECRET_FINGERPRINTS_DIR) yield full;
    else yield* fingerprintDirs(full);
  }
}

const dirs = (process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_DIRS).filter(
  (dir) => existsSync(dir) && statSync(dir).isDirectory(),
);
const known = knownSecrets();
const leaks: Array<Leak & { where: string }> = [];
let scanned = 0;
for (const dir of dirs) {
  for (const file of filesUnder(dir)) {
    for (const [where, text] of textsOf(file)) {
      scanned += 1;
      leaks.push(...findLeaks(text, known).map((leak) => ({ ...leak, where })));
    }
  }
}

if (scanned === 0) {
  console.error(`Secret scan: nothing to scan in ${DEFAULT_DIRS.join(', ')}; run the suite first.`);
  process.exit(1);
}
const scope = `${scanned} files in ${dirs.join(', ')} (${known.fingerprints.size} secrets of the run fingerprinted)`;
if (leaks.length === 0) {
  console.log(`Secret scan: no secrets in ${scope}.`);
} else {
  console.error(`Secret scan: ${leaks.length} secrets in ${scope}:`);
  for (const leak of leaks.slice(0, 50)) console.error(`  ${leak.kind} in ${leak.where}: …${leak.excerpt}…`);
  process.exit(1);
}
