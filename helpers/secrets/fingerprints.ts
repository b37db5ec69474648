import { createHash, createHmac } from 'node:crypto';
import { type Env, EnvError, roleCredentials } from '../env';

/** Where, under Playwright's output folder, each worker leaves the fingerprints of its secrets. */
export const SECRET_FINGERPRINTS_DIR = 'secret-fingerprints';
/** The setting that keys the fingerprints when the roles' credentials should not (see fingerprintKey). */
export const FINGERPRINT_KEY_SETTING = 'SECRET_SCAN_KEY';

/** The key of the run's fingerprints, and an id that tells which key a file was written with. */
export type FingerprintKey = { id: string; key: Buffer };

/**
 * The key of the fingerprints: SECRET_SCAN_KEY when set, or else the roles' own credentials (their
 * passwords, tokens and client secrets), which every job of a run has and no report shows. A
 * fingerprint is an HMAC under this key: without it, a dictionary cannot reverse one. Undefined when
 * neither exists (every role authenticates with `none`).
 */
export function fingerprintKey(env: Env): FingerprintKey | undefined {
  const material = env.source[FINGERPRINT_KEY_SETTING] ?? roleCredentialsOf(env);
  if (!material) return undefined;
  const key = createHash('sha256').update('secret fingerprints\0').update(material).digest();
  return { key, id: createHmac('sha256', key).update('key id').digest('hex').slice(0, 16) };
}

export function fingerprint(key: FingerprintKey, secret: string): string {
  return createHmac('sha256', key.key).update(secret).digest('hex');
}

/** A blob report's file of the fingerprints of its run: the merge job scans with them (scripts/scan-secrets.ts). */
export const BLOB_FINGERPRINTS_FILE = /^secret-fingerprints.*\.txt$/;

/** The first line of a fingerprint file: which key its fingerprints were made with. */
export function fingerprintFileHeader(key: FingerprintKey): string {
  return `key ${key.id}\n`;
}

export function parseFingerprintFile(text: string): { keyId: string | undefined; fingerprints: string[] } {
  const lines = text.split('\n').filter(Boolean);
  const keyId = lines[0]?.startsWith('key ') ? lines[0].slice(4) : undefined;
  return { keyId, fingerprints: lines.filter((line) => /^[0-9a-f]{64}$/.test(line)) };
}

// Only the settings a role's strategy reads, so that an unrelated secret of the shell (an NPM_TOKEN
// in one terminal and not in another) does not change the key.
function roleCredentialsOf(env: Env): string | undefined {
  const parts = env.roles.flatMap((role) => {
    try {
      const credentials = roleCredentials(env, role);
      switch (credentials.strategy) {
        case 'password':
          return [`${role}\0${credentials.password}`];
        case 'token':
          return [`${role}\0${credentials.token}`];
        case 'client-credentials':
          return [`${role}\0${credentials.clientSecret}`];
        case 'none':
          return [];
      }
    } catch (error) {
      if (error instanceof EnvError) return []; // a role this run cannot use has no credential to key with
      throw error;
    }
  });
  return parts.length > 0 ? parts.join('\0') : undefined;
}
