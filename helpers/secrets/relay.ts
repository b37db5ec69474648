import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * How a worker tells the reporters' process of a secret it learnt (a login's token, a webhook
 * secret), before it reports anything that could hold it: a line on its stdout, which Playwright
 * sends to that process in order with the worker's steps, errors and attachments. The line is
 * sealed with a key of the run (AES-256-GCM), so that it says nothing to anything else that reads it.
 */
export const RELAY_KEY_VARIABLE = 'PLAYWRIGHT_REDACTION_RELAY';

// An operating system command sequence: a terminal that ever got one would show nothing.
const START = '\u001b]8337;secret;';
const END = '\u0007';

/** A new key for a run, hex, to put into RELAY_KEY_VARIABLE before the workers start. */
export function newRelayKey(): string {
  return randomBytes(32).toString('hex');
}

export function sealSecret(relayKey: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(relayKey, 'hex'), iv);
  const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return `${START}${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64')}${END}`;
}

/** Whether a chunk of a worker's output is a sealed secret (then it is no output at all). */
export function isSealedSecret(chunk: string | Buffer): boolean {
  return (typeof chunk === 'string' ? chunk : chunk.toString('latin1')).startsWith(START);
}

/** The secret in a sealed line, or undefined when it was sealed with another key or is no sealed line. */
export function unsealSecret(relayKey: string, chunk: string | Buffer): string | undefined {
  const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
  if (!text.startsWith(START) || !text.endsWith(END)) return undefined;
  try {
    const bytes = Buffer.from(text.slice(START.length, -END.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(relayKey, 'hex'), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
