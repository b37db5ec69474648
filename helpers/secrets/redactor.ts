import { ansiCodesIn, encodedForms, fileNameForm, hasAnsiCodes, withoutAnsiCodes } from './encodings';

export const REDACTED = '[REDACTED]';

// JSON fields whose values are secrets: the name, without - and _, ends with one of these words
// (accessToken, client_secret, sessionId), so tokenType or tokenCount are not.
const SECRET_NAME =
  /(password|passwd|passphrase|secret|token|apikey|authorization|cookie|credentials?|sessionid|privatekey)$/i;
export const isSecretName = (name: string) => SECRET_NAME.test(name.replace(/[-_]/g, ''));

// Headers that carry a credential, by name: the standard ones, and those whose name ends in a word
// that says so (X-API-Key, X-Auth-Token, X-Client-Secret, Private-Token, X-Session-Id).
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
const SECRET_HEADER =
  /(?:^|[-_])(?:api[-_]?key|apikey|token|secret|password|passwd|passphrase|credentials?|session[-_]?id|private[-_]?key)$/i;
// CORS headers name credentials and headers without carrying any (access-control-allow-credentials: true).
const DESCRIBES_CREDENTIALS = /^access-control-/i;

// A JSON Web Token anywhere in a text: three base64url parts, the first one a JSON header.
const JWT = /eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*/g;
// The credential after an HTTP auth scheme, unless it is an auth parameter (`Bearer realm="api"`).
const SCHEME_CREDENTIAL = /\b(Bearer|Basic)(\s+)(?![a-z_]+\s*=\s*")([\w\-.~+/]+=*)/g;
// A credential header written out in a text, whatever its scheme: `Authorization: token abc…`.
const AUTHORIZATION_IN_TEXT = /(authorization["']?\s*[:=]\s*["']?)((?:[\w-]+\s+)?)([\w\-.~+/]+=*)/gi;
// `name=value` in a query string or a form, and `name="value"` in HTML, where the name looks secret:
// `?token=…`, `&api_key=…`, `data-api-token="…"`; not `token=${token}` in quoted source code.
const ASSIGNED = /([\w-]+)(=)("?)([^"&\s<>'(){}$`[\]]+)/g;

/** Whether a value found after a scheme or a credential header is a credential rather than a word or code. */
function looksLikeCredential(value: string): boolean {
  return /\d/.test(value) || value.length >= 16 || (value.length >= 6 && /[.\-_~+/=]/.test(value));
}

/** Whether a value under a secret name is worth remembering as a secret: not a word, a flag or a placeholder. */
function isDistinctive(value: string): boolean {
  if (value.length < 8 || /\s/.test(value) || value.includes(REDACTED)) return false;
  const kinds = [/[a-z]/, /[A-Z]/, /\d/, /[^A-Za-z\d]/].filter((kind) => kind.test(value)).length;
  return kinds >= 2;
}

/**
 * Removes secrets from what a report shows: every value registered as a secret (passwords, tokens),
 * in clear and in the forms reports encode it in (JSON- and URL-escaped, base64 at any offset, split
 * by colour codes); values under secret names and credential headers; anything shaped like a JWT or
 * an Authorization credential. A value it redacts under a secret name (a webhook secret in an
 * answer, a session cookie) becomes a secret too, so that it is redacted wherever else it turns up.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly secretHeaders = new Set<string>();
  private forms: string[] | undefined;
  private learnt = 0;

  /** `onSecret` hears of each new secret: to leave its fingerprint, to tell the reporters' process. */
  constructor(private readonly onSecret: (secret: string) => void = () => undefined) {}

  /** Grows with every secret and secret header registered: what was redacted before may show more now. */
  get version(): number {
    return this.learnt;
  }

  /** Registers values that must never appear in a report, wherever they turn up. */
  addSecret(...values: Array<string | undefined>): void {
    for (const value of values) {
      if (!value || value.length < 4 || this.secrets.has(value) || value === REDACTED) continue;
      this.secrets.add(value);
      this.forms = undefined;
      this.learnt += 1;
      this.onSecret(value);
    }
  }

  /** Registers a header that carries credentials (API_KEY_HEADER=X-Client-Auth, say): its value is never shown. */
  addSecretHeader(name: string): void {
    if (this.secretHeaders.has(name.toLowerCase())) return;
    this.secretHeaders.add(name.toLowerCase());
    this.learnt += 1;
  }

  isSecretHeader(name: string): boolean {
    const lower = name.toLowerCase();
    if (CREDENTIAL_HEADERS.has(lower) || this.secretHeaders.has(lower)) return true;
    return !DESCRIBES_CREDENTIALS.test(lower) && SECRET_HEADER.test(lower);
  }

  text(text: string): string {
    if (text.length === 0) return text;
    return withoutCredentialPatterns(this.withoutSecrets(text));
  }

  headers(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => {
        if (!this.isSecretHeader(name)) return [name, this.text(value)];
        this.learnFromHeader(value);
        return [name, REDACTED];
      }),
    );
  }

  /** A deep copy of a JSON value with secret fields and secret values replaced. */
  json(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => {
          if (!isSecretName(key) || typeof item !== 'string') return [key, this.json(item)];
          if (isDistinctive(item)) this.addSecret(item);
          return [key, REDACTED];
        }),
      );
    }
    return value;
  }

  /** A body as text for a report: JSON pretty-printed and redacted, other text redacted. */
  body(body: string, maxChars = 64_000): string {
    let shown: string;
    try {
      shown = JSON.stringify(this.json(JSON.parse(body)), null, 2);
    } catch {
      shown = this.text(body);
    }
    return truncate(shown, maxChars);
  }

  /**
   * A file name without the secrets in it, also as Playwright writes them into names (`a-b` for
   * `a.b`). With `partial`, without a distinctive part of one either (8 characters with a digit or
   * a capital, or 12): Playwright cuts the middle out of a long title, and may keep a part of a secret.
   */
  fileName(name: string, partial = false): string {
    let result = name;
    for (const secret of this.secrets) {
      for (const form of new Set([secret, fileNameForm(secret)])) result = result.replaceAll(form, 'REDACTED');
      const run = partial ? longestCommonRun(result, fileNameForm(secret)) : '';
      if (isDistinctivePart(run)) result = result.replaceAll(run, 'REDACTED');
    }
    return result;
  }

  // `Bearer <token>`, `sid=<value>; Path=/`: the parts that are the credential.
  private learnFromHeader(value: string): void {
    const credential = value.replace(/^[A-Za-z][\w-]*\s+(?=\S)/, '');
    const parts = credential.split(';').map((part) => part.trim().replace(/^[\w-]+=/, ''));
    for (const part of new Set([credential, ...parts])) if (isDistinctive(part)) this.addSecret(part);
  }

  private withoutSecrets(text: string): string {
    const forms = this.allForms();
    let result = text;
    for (const form of forms) if (result.includes(form)) result = result.replaceAll(form, REDACTED);
    return hasAnsiCodes(result) ? withoutSplitSecrets(result, forms) : result;
  }

  // Every form of every secret, longest first, so that a secret that contains another is replaced whole.
  private allForms(): string[] {
    this.forms ??= [
      ...new Set([...this.secrets].flatMap((secret) => encodedForms(secret).map((form) => form.text))),
    ].sort((a, b) => b.length - a.length);
    return this.forms;
  }
}

/** Secrets that colour codes split (`tok-\u001b[31m9xQ…`): each is replaced, and the codes inside it kept after. */
function withoutSplitSecrets(text: string, forms: readonly string[]): string {
  const plain = withoutAnsiCodes(text);
  const ranges: Array<[number, number]> = [];
  for (const form of forms) {
    for (let at = plain.text.indexOf(form); at !== -1; at = plain.text.indexOf(form, at + form.length)) {
      ranges.push([plain.origin[at]!, plain.origin[at + form.length - 1]! + 1]);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let result = '';
  let position = 0;
  for (const [start, end] of ranges) {
    if (end <= position) continue;
    const from = Math.max(start, position);
    result += text.slice(position, from);
    result += `${REDACTED}${ansiCodesIn(text.slice(from, end))}`;
    position = end;
  }
  return result + text.slice(position);
}

function withoutCredentialPatterns(text: string): string {
  return text
    .replace(JWT, REDACTED)
    .replace(SCHEME_CREDENTIAL, (match, scheme: string, space: string, credential: string) =>
      looksLikeCredential(credential) ? `${scheme}${space}${REDACTED}` : match,
    )
    .replace(
      AUTHORIZATION_IN_TEXT,
      (match, prefix: string, scheme: string, credential: string, offset: number, whole: string) => {
        // `Authorization: z.string()` is code quoted from a spec, not a credential.
        const isCode = whole[offset + match.length] === '(';
        if (isCode || match.includes(REDACTED) || !looksLikeCredential(credential)) return match;
        return `${prefix}${scheme}${REDACTED}`;
      },
    )
    .replace(ASSIGNED, (match, name: string, equals: string, quote: string) =>
      isSecretName(name) ? `${name}${equals}${quote}${REDACTED}` : match,
    );
}

function isDistinctivePart(run: string): boolean {
  return run.length >= 12 || (run.length >= 8 && /[\dA-Z]/.test(run));
}

function longestCommonRun(a: string, b: string): string {
  let best = '';
  const lengths = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = b.length; j >= 1; j -= 1) {
      lengths[j] = a[i - 1] === b[j - 1] ? lengths[j - 1]! + 1 : 0;
      if (lengths[j]! > best.length) best = a.slice(i - lengths[j]!, i);
    }
  }
  return best;
}

export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n… [truncated: showing ${maxChars} of ${text.length} characters]`;
}
