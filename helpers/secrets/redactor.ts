export const REDACTED = '[REDACTED]';

// Header and field names whose values are secrets: the name, without - and _, ends with one of these
// words (accessToken, x-api-key, set-cookie, client_secret), so tokenType or tokenCount are not.
const SECRET_NAME =
  /(password|passwd|passphrase|secret|token|apikey|authorization|cookie|credentials?|sessionid|privatekey)$/i;
const isSecretName = (name: string) => SECRET_NAME.test(name.replace(/[-_]/g, ''));
// A JSON Web Token anywhere in a text: three base64url parts, the first one a JSON header.
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const BEARER = /(Bearer|Basic)\s+[\w\-.~+/]+=*/gi;
// A credential header written out in a text, whatever its scheme: `Authorization: token abc…`.
const AUTHORIZATION_IN_TEXT = /(authorization["']?\s*[:=]\s*["']?)(?:[\w-]+\s+)?[\w\-.~+/]{4,}=*/gi;
// `name=value` in a query string or a form, and `name="value"` in HTML, where the name looks secret:
// `?token=…`, `&api_key=…`, `data-api-token="…"`.
const ASSIGNED = /([\w-]+)(=)("?)([^"&\s<>']+)/g;

/**
 * Removes secrets from what a report shows: values under secret-looking names, anything shaped
 * like a JWT or a Bearer credential, and every value registered as a secret (passwords, tokens).
 * Reports, attachments and error messages only ever see text that went through it.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly secretHeaders = new Set<string>();

  /** `onSecret` hears of each new secret, e.g. to leave its fingerprint for the report scan. */
  constructor(private readonly onSecret: (secret: string) => void = () => undefined) {}

  /** Registers values that must never appear in a report, wherever they turn up. */
  addSecret(...values: Array<string | undefined>): void {
    for (const value of values) {
      if (!value || value.length < 4 || this.secrets.has(value)) continue;
      this.secrets.add(value);
      this.onSecret(value);
    }
  }

  /** Registers a header that carries credentials (API_KEY_HEADER=X-Client-Auth, say): its value is never shown. */
  addSecretHeader(name: string): void {
    this.secretHeaders.add(name.toLowerCase());
  }

  text(text: string): string {
    let result = text;
    // Longest first, so that a secret that contains another is replaced whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length))
      result = result.replaceAll(secret, REDACTED);
    return result
      .replace(JWT, REDACTED)
      .replace(BEARER, `$1 ${REDACTED}`)
      .replace(AUTHORIZATION_IN_TEXT, (match, prefix: string) =>
        match.includes(REDACTED) ? match : `${prefix}${REDACTED}`,
      )
      .replace(ASSIGNED, (match, name: string, equals: string, quote: string) =>
        isSecretName(name) ? `${name}${equals}${quote}${REDACTED}` : match,
      );
  }

  headers(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, this.isSecretHeader(name) ? REDACTED : this.text(value)]),
    );
  }

  private isSecretHeader(name: string): boolean {
    return isSecretName(name) || this.secretHeaders.has(name.toLowerCase());
  }

  /** A deep copy of a JSON value with secret fields and secret values replaced. */
  json(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.json(item));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          isSecretName(key) && item !== null && typeof item !== 'object' ? REDACTED : this.json(item),
        ]),
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
}

export function truncate(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars)}\n… [truncated: showing ${maxChars} of ${text.length} characters]`;
}
