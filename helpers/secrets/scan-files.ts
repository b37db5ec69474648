import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  BLOB_FINGERPRINTS_FILE,
  type FingerprintKey,
  SECRET_FINGERPRINTS_DIR,
  parseFingerprintFile,
} from './fingerprints';
import { type KnownSecrets, type Leak, findLeaks, findLeaksInName } from './scan';

export type ScanResult = { leaks: Leak[]; files: number };

/** Every file under the given folders (and the given files), scanned; fingerprint folders are read, not scanned. */
export function scanPaths(paths: readonly string[], known: KnownSecrets): ScanResult {
  const leaks: Leak[] = [];
  let files = 0;
  for (const root of paths) {
    for (const file of filesUnder(root)) {
      if (isFingerprintFile(file)) continue;
      files += 1;
      leaks.push(...findLeaksInName(file, path.relative(path.dirname(root), file), known));
      leaks.push(...findLeaks(file, readFileSync(file), known));
    }
  }
  return { leaks, files };
}

/**
 * The fingerprints the run's workers left under these folders (and those a blob report carries to
 * the merge job) that were made with this key, and how many files were made with another key
 * (another environment's credentials): their secrets cannot be recognised.
 */
export function fingerprintsUnder(
  paths: readonly string[],
  key: FingerprintKey,
): { hashes: Set<string>; otherKeys: number } {
  const hashes = new Set<string>();
  let otherKeys = 0;
  for (const root of paths) {
    for (const file of [...filesUnder(root)].filter(isFingerprintFile)) {
      const { keyId, fingerprints } = parseFingerprintFile(readFileSync(file, 'utf8'));
      if (keyId !== key.id) otherKeys += 1;
      else for (const hash of fingerprints) hashes.add(hash);
    }
  }
  return { hashes, otherKeys };
}

/** Whether a file holds fingerprints (keyed hashes, nothing to scan). */
function isFingerprintFile(file: string): boolean {
  return (
    path.basename(path.dirname(file)) === SECRET_FINGERPRINTS_DIR || BLOB_FINGERPRINTS_FILE.test(path.basename(file))
  );
}

function* filesUnder(root: string): Generator<string> {
  if (!existsSync(root)) return;
  if (!statSync(root).isDirectory()) {
    yield root;
    return;
  }
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) yield* filesUnder(full);
    else if (entry.isFile()) yield full;
  }
}
