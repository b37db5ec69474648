export const REDACTED = '[REDACTED]';

// Header and field names whose values are secrets: the name, without - and _, ends with one of these
// words (accessToken, x-api-key, set-cookie, client_secret), so tokenType or tokenCount are not.
const SECRET_NAME =
  /(password|passwd|passphrase|secret|token|apikey|authorization|cookie|credentials?|sessionid|privatekey)$/i;
const isSecretName = (name: string) => SECRET_NAME.test(name.replace(/[-_]/g, ''));
// A JSON Web Token anywhere in a text: three base64url parts, the first one a JSON header.
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]*/g;
const BEARER = /(Bearer|Basic)\s+[\w\-.~+/]+=*/gi;

/**
 * Removes secrets from what a report shows: values under secret-looking names, anything shaped
 * like a JWT or a Bearer credential, and every value registered as a secret (passwords, tokens).
 * Reports, attachments and error messages only ever see text that went through it.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

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

  text(text: string): string {
    let result = text.replace(JWT, REDACTED).replace(BEARER, `$1 ${REDACTED}`);
    for (const secret of this.secrets) result = result.replaceAll(secret, REDACTED);
    return result;
  }

  headers(headers: Record<string, string>): Record<string, string> {
    return Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, isSecretName(name) ? REDACTED : this.text(value)]),
    );
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
