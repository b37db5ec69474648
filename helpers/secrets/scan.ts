import { createHash } from 'node:crypto';

/** Where, under Playwright's output folder, each worker leaves the fingerprints of its secrets. */
export const SECRET_FINGERPRINTS_DIR = 'secret-fingerprints';

export type Leak = { kind: string; excerpt: string };

export type KnownSecrets = {
  /** Secrets known in clear (the values of secret settings): searched as they are. */
  values: readonly string[];
  /** sha256 fingerprints of secrets that only existed during the run (fresh users' passwords, tokens). */
  fingerprints: ReadonlySet<string>;
};

const PATTERNS: ReadonlyArray<[kind: string, pattern: RegExp]> = [
  ['JSON Web Token', /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/g],
  ['Authorization value', /\b(?:Bearer|Basic)\s+(?!\[REDACTED\])[\w\-.~+/]{8,}=*/g],
  [
    'Authorization value',
    /\bauthorization["']?\s*[:=]\s*["']?(?!\[REDACTED\])(?:[\w-]+\s+)?(?!\[REDACTED\])[\w\-.~+/]{8,}/gi,
  ],
  [
    'secret field',
    /"(?:password|token|secret|api[-_]?key|authorization|cookie|set-cookie)"\s*:\s*"(?!\[REDACTED\])[^"]+"/gi,
  ],
];
// Fingerprinted secrets are base64url; any run of such characters in a report is a candidate.
const CANDIDATE = /[\w-]{12,}/g;

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

type Found = { kind: string; start: number; end: number };

/** Every secret-looking thing in a text, in the order they appear; excerpts mask every secret, not only their own. */
export function findLeaks(text: string, known: KnownSecrets): Leak[] {
  const found: Found[] = [];
  const add = (kind: string, start: number, length: number) => found.push({ kind, start, end: start + length });
  for (const [kind, pattern] of PATTERNS) {
    for (const match of text.matchAll(pattern)) add(kind, match.index, match[0].length);
  }
  for (const value of known.values) {
    for (let index = text.indexOf(value); index !== -1; index = text.indexOf(value, index + value.length)) {
      add('secret setting', index, value.length);
    }
  }
  if (known.fingerprints.size > 0) {
    for (const match of text.matchAll(CANDIDATE)) {
      if (known.fingerprints.has(fingerprint(match[0]))) add('secret from the run', match.index, match[0].length);
    }
  }
  // A leak found by two patterns of the same kind (`Authorization: Bearer …`) is one leak.
  const distinct = found.filter(
    (leak) =>
      !found.some(
        (other) =>
          other !== leak &&
          other.kind === leak.kind &&
          other.start <= leak.start &&
          other.end >= leak.end &&
          other.end - other.start > leak.end - leak.start,
      ),
  );
  const ordered = [...distinct].sort((a, b) => a.start - b.start);
  return ordered.map((leak) => ({ kind: leak.kind, excerpt: excerpt(text, leak, ordered) }));
}

function excerpt(text: string, leak: Found, all: readonly Found[]): string {
  const from = Math.max(0, leak.start - 40);
  const to = Math.min(text.length, leak.end + 20);
  let shown = '';
  let position = from;
  for (const secret of all) {
    if (secret.end <= position || secret.start >= to) continue;
    shown += `${text.slice(position, Math.max(position, secret.start))}‹${secret.end - secret.start} secret characters›`;
    position = Math.max(position, secret.end);
  }
  return `${shown}${text.slice(position, to)}`.replace(/\s+/g, ' ');
}
