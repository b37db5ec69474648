import { gunzipSync } from 'node:zlib';
import AdmZip from 'adm-zip';
import { encodedForms, fileNameForm, hasAnsiCodes, stripAnsiCodes } from './encodings';
import { type FingerprintKey, fingerprint } from './fingerprints';

/** A secret known in clear (a secret setting), and what to call it in a finding. */
export type KnownSecret = { name: string; value: string };

export type KnownSecrets = {
  values: readonly KnownSecret[];
  /** Keyed fingerprints of the secrets that only existed during the run (tokens, fresh passwords). */
  fingerprints?: { key: FingerprintKey; hashes: ReadonlySet<string> } | undefined;
};

/** A secret found in one file, or in one entry of an archive: which, in which forms, how often, and around what. */
export type Leak = { where: string; secret: string; forms: string[]; count: number; excerpt: string };

// Values shaped like credentials, for those no setting or fingerprint names: a hard-coded token.
const SHAPES: ReadonlyArray<[name: string, pattern: RegExp]> = [
  ['a JSON Web Token', /eyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/g],
  ['an Authorization credential', /\b(?:Bearer|Basic)\s+([\w\-.~+/]{8,}=*)/g],
  ['an Authorization credential', /\bauthorization["']?\s*[:=]\s*["']?(?:[\w-]+\s+)?([\w\-.~+/]{8,}=*)/gi],
  [
    'a secret field',
    /"(?:password|passwd|token|access_token|refresh_token|secret|client_secret|api[-_]?key|authorization|cookie|set-cookie)"\s*:\s*"([^"\s]{8,})"/gi,
  ],
];
// Where a fingerprinted secret may start and end: it is compared whole, as such a run of characters
// and as each part of it between characters a token does not have (`?token=…&`, `id:secret`).
const CANDIDATE = /[^\s"'`<>()[\]{},;|\\]{4,}/g;
const PARTS = [/[?&=#:]+/, /[^\w\-.~+/=]+/, /[^\w-]+/];
const BASE64_RUN = /[A-Za-z0-9+/]{24,}={0,2}|[A-Za-z0-9_-]{24,}/g;
// A page's own code and fonts, inlined as data URLs, are not what a run wrote.
const PAGE_CODE = /data:(?:text\/javascript|application\/javascript|text\/css|font\/[\w-]+|image\/[\w+.-]+);base64,$/;
const MAX_DEPTH = 3;

/** A credential rather than a word, a name or code quoted from a spec (`Authorization: z.number()`). */
function isCredentialShaped(value: string, after: string): boolean {
  return after !== '(' && !value.includes('[REDACTED]') && /[A-Za-z]/.test(value) && /\d/.test(value);
}

/**
 * Every secret in a file as reports write them: in clear, in the forms a secret is encoded in
 * (base64 at any offset, URL- and JSON-escaped, split by colour codes), inside zip archives (the
 * HTML report's, a blob report), gzip, and base64 data embedded in a page (the Allure report's).
 */
export function findLeaks(where: string, content: Buffer, known: KnownSecrets): Leak[] {
  return unitsOf(where, content, 0).flatMap(([unit, views]) => leaksIn(unit, views, known));
}

/** A secret in a file's path (a test's output folder is named after its title). */
export function findLeaksInName(where: string, name: string, known: KnownSecrets): Leak[] {
  return leaksIn(`${where} (its name)`, [{ form: undefined, text: name }], {
    ...known,
    values: known.values.flatMap((secret) =>
      fileNameForm(secret.value).length >= 6 ? [secret, { ...secret, value: fileNameForm(secret.value) }] : [secret],
    ),
  });
}

type View = { form: string | undefined; text: string };

// The archives' entries are units of their own; base64, escapes and colour codes are views of the same unit.
function unitsOf(where: string, bytes: Buffer, depth: number): Array<[string, View[]]> {
  if (depth > MAX_DEPTH) return [];
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const unzipped = tryOr(() => gunzipSync(bytes), undefined);
    if (unzipped) return unitsOf(`${where} (gzip)`, unzipped, depth + 1);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    const entries = tryOr(() => new AdmZip(bytes).getEntries(), undefined);
    if (entries) {
      return entries
        .filter((entry) => !entry.isDirectory)
        .flatMap((entry) => unitsOf(`${where} › ${entry.entryName}`, entry.getData(), depth + 1));
    }
  }
  const units: Array<[string, View[]]> = [];
  const views = viewsOf(bytes.toString('utf8'), undefined, (offset, decoded) =>
    units.push(...unitsOf(`${where} (base64 at ${offset})`, decoded, depth + 1)),
  );
  return [[where, views], ...units];
}

/** A text, and what it says once its colour codes, escapes and embedded base64 are undone. */
function viewsOf(text: string, form: string | undefined, onArchive: (offset: number, bytes: Buffer) => void): View[] {
  const views: View[] = [{ form, text }];
  if (hasAnsiCodes(text)) views.push({ form: form ?? 'split by colour codes', text: stripAnsiCodes(text) });
  if (text.includes('\\'))
    views.push(...views.map((view) => ({ form: form ?? 'JSON-escaped', text: unescapeJson(view.text) })));
  if (/%[0-9A-Fa-f]{2}/.test(text))
    views.push(...views.map((view) => ({ form: form ?? 'URL-encoded', text: decodeUrl(view.text) })));
  if (form === undefined) {
    for (const match of text.matchAll(BASE64_RUN)) {
      if (PAGE_CODE.test(text.slice(Math.max(0, match.index - 40), match.index))) continue;
      const decoded = Buffer.from(match[0], /[-_]/.test(match[0]) ? 'base64url' : 'base64');
      if (isArchive(decoded)) onArchive(match.index, decoded);
      else if (isMostlyText(decoded)) views.push(...viewsOf(decoded.toString('utf8'), 'base64', onArchive));
    }
  }
  return views;
}

// What a scan looks for, worked out once per set of known secrets.
type Search = {
  forms: Array<{ name: string; form: string; text: string }>;
  settings: Set<string>;
  seen: Map<string, boolean>;
};
const searches = new WeakMap<KnownSecrets, Search>();

function searchFor(known: KnownSecrets): Search {
  let search = searches.get(known);
  if (!search) {
    search = {
      forms: known.values.flatMap(({ name, value }) =>
        encodedForms(value).map(({ form, text }) => ({ name: `the value of ${name}`, form, text })),
      ),
      settings: new Set(known.values.map(({ value }) => value)),
      seen: new Map(),
    };
    searches.set(known, search);
  }
  return search;
}

type Occurrence = { secret: string; form: string; start: number; end: number };

function leaksIn(where: string, views: View[], known: KnownSecrets): Leak[] {
  const leaks = new Map<string, Leak>();
  for (const view of views) {
    const found = occurrencesIn(view, known);
    const inThisView = new Map<string, Leak>();
    for (const occurrence of found) {
      // Found in an earlier view: the same occurrences, decoded otherwise.
      if (leaks.has(occurrence.secret)) continue;
      const leak = inThisView.get(occurrence.secret);
      if (!leak) {
        const shown = excerpt(view.text, occurrence, found);
        inThisView.set(occurrence.secret, {
          where,
          secret: occurrence.secret,
          forms: [occurrence.form],
          count: 1,
          excerpt: shown,
        });
      } else {
        if (!leak.forms.includes(occurrence.form)) leak.forms.push(occurrence.form);
        leak.count += 1;
      }
    }
    for (const [secret, leak] of inThisView) leaks.set(secret, leak);
  }
  return [...leaks.values()];
}

function occurrencesIn({ form: viewForm, text }: View, known: KnownSecrets): Occurrence[] {
  const { forms, settings, seen } = searchFor(known);
  const found: Occurrence[] = [];
  const add = (secret: string, form: string, start: number, length: number) =>
    found.push({ secret, form: viewForm ?? form, start, end: start + length });
  for (const { name, form, text: encoded } of forms) {
    for (let at = text.indexOf(encoded); at !== -1; at = text.indexOf(encoded, at + encoded.length))
      add(name, form, at, encoded.length);
  }
  const isSecret = (candidate: string) => {
    if (!known.fingerprints) return false;
    let secret = seen.get(candidate);
    if (secret === undefined) {
      secret = known.fingerprints.hashes.has(fingerprint(known.fingerprints.key, candidate));
      seen.set(candidate, secret);
    }
    return secret;
  };
  if (known.fingerprints) {
    for (const match of text.matchAll(CANDIDATE)) {
      const token = match[0];
      const candidates = new Set([token]);
      for (const separator of PARTS) {
        if (separator.test(token))
          for (const part of token.split(separator)) if (part.length >= 4) candidates.add(part);
      }
      // A secret setting is fingerprinted too (for a merge job without the settings): it is reported by its name.
      for (const candidate of candidates) {
        if (isSecret(candidate) && !settings.has(candidate))
          add('a secret of the run', 'in clear', match.index + token.indexOf(candidate), candidate.length);
      }
    }
  }
  for (const [name, pattern] of SHAPES) {
    for (const match of text.matchAll(pattern)) {
      const value = match[1] ?? match[0];
      const start = match.index + match[0].length - value.length;
      // A known secret in such a place is reported by its name, once.
      if (settings.has(value) || isSecret(value)) continue;
      if (isCredentialShaped(value, text[match.index + match[0].length] ?? ''))
        add(`${name} (${value.length} characters)`, 'in clear', start, value.length);
    }
  }
  return found;
}

// The excerpt masks the secret, and every other secret found near it: a finding never shows one.
function excerpt(text: string, occurrence: Occurrence, all: readonly Occurrence[]): string {
  const from = Math.max(0, occurrence.start - 40);
  const to = Math.min(text.length, occurrence.end + 20);
  let shown = '';
  let position = from;
  for (const secret of [...all].sort((a, b) => a.start - b.start)) {
    if (secret.end <= position || secret.start >= to) continue;
    shown += `${text.slice(position, Math.max(position, secret.start))}‹${secret.end - secret.start} secret characters›`;
    position = Math.max(position, secret.end);
  }
  return `${shown}${text.slice(position, to)}`.replace(/\p{Cc}+/gu, ' ');
}

function unescapeJson(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])/g, (_match, code: string | undefined, char: string) =>
    code ? String.fromCharCode(parseInt(code, 16)) : ({ b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }[char] ?? char),
  );
}

function decodeUrl(text: string): string {
  return text.replace(/(?:%[0-9A-Fa-f]{2})+/g, (escaped) => tryOr(() => decodeURIComponent(escaped), escaped));
}

function isArchive(bytes: Buffer): boolean {
  return (bytes[0] === 0x50 && bytes[1] === 0x4b) || (bytes[0] === 0x1f && bytes[1] === 0x8b);
}

function isMostlyText(bytes: Buffer): boolean {
  if (bytes.length === 0) return false;
  let printable = 0;
  for (const byte of bytes.subarray(0, 4096))
    if (byte >= 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09) printable += 1;
  return printable / Math.min(bytes.length, 4096) > 0.95;
}

function tryOr<T, F>(attempt: () => T, fallback: F): T | F {
  try {
    return attempt();
  } catch {
    return fallback;
  }
}
