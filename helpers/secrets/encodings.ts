/** How a secret may be written in a report: as it is, or encoded the way reports and APIs encode text. */
export type EncodedForm = { form: string; text: string };

// Shorter runs of base64 would match unrelated data by chance.
const MIN_BASE64_CHARS = 6;

/**
 * The forms a secret takes in reports: in clear, JSON-escaped, URL-encoded, HTML-escaped, and the
 * base64 (and base64url) characters it always produces, whatever its offset in a larger encoded blob
 * (`Basic <base64 of id:secret>`, an attachment's base64 content).
 */
export function encodedForms(secret: string): EncodedForm[] {
  const forms: EncodedForm[] = [{ form: 'in clear', text: secret }];
  const add = (form: string, text: string) => {
    if (!forms.some((known) => known.text === text)) forms.push({ form, text });
  };
  add('JSON-escaped', JSON.stringify(secret).slice(1, -1));
  const url = encodeURIComponent(secret);
  add('URL-encoded', url);
  add(
    'URL-encoded',
    url.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
  );
  add('URL-encoded', url.replaceAll('%20', '+'));
  add('HTML-escaped', escapeHtml(secret));
  for (const base64 of base64Cores(Buffer.from(secret, 'utf8'))) {
    if (base64.length < MIN_BASE64_CHARS) continue;
    add('base64', base64);
    add('base64url', base64.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

/**
 * The base64 characters that depend only on the secret's bytes, for each of the three offsets
 * (modulo 3) it can start at inside a larger encoded value.
 */
function base64Cores(bytes: Buffer): string[] {
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
      .toString('base64')
      .replace(/=+$/, '');
    const first = Math.ceil((offset * 8) / 6);
    const last = Math.floor(((offset + bytes.length) * 8) / 6);
    return encoded.slice(first, last);
  });
}

/** A secret as Playwright writes it into a file name (a test's output folder is named after its title). */
export function fileNameForm(secret: string): string {
  return secret.replace(/[^A-Za-z0-9-]+/g, '-');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[char]};`);
}

// Terminal colour and style codes, as written (ESC [ … m) and as JSON escapes them (\u001b[ … m).
// eslint-disable-next-line no-control-regex -- the escape character is what these codes start with
const ANSI = /\u001b\[[0-9;]*[A-Za-z]|\\u001b\[[0-9;]*[A-Za-z]/g;

export function ansiCodesIn(text: string): string {
  return text.match(ANSI)?.join('') ?? '';
}

export function stripAnsiCodes(text: string): string {
  return text.replace(ANSI, '');
}

export function hasAnsiCodes(text: string): boolean {
  return text.includes('\u001b[') || text.includes('\\u001b[');
}

/**
 * A text without its colour codes, and where each of its characters was in the original (`origin`):
 * a diff that highlights part of a value puts codes inside it (`"tok-<red>9xQ…</red>"`).
 */
export function withoutAnsiCodes(text: string): { text: string; origin: number[] } {
  const origin: number[] = [];
  let stripped = '';
  let position = 0;
  for (const match of text.matchAll(ANSI)) {
    for (let index = position; index < match.index; index += 1) origin.push(index);
    stripped += text.slice(position, match.index);
    position = match.index + match[0].length;
  }
  for (let index = position; index < text.length; index += 1) origin.push(index);
  stripped += text.slice(position);
  return { text: stripped, origin };
}
