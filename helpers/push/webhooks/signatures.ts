import { Webhook } from 'standardwebhooks';
import { describeError } from '../../wait/format';

export type Verification = { valid: true } | { valid: false; reason: string };

/** Checks a delivery's Standard Webhooks signature (webhook-id, webhook-timestamp, webhook-signature). */
export function verifyDelivery(
  delivery: { headers: Record<string, string>; body: string },
  secret: string,
): Verification {
  try {
    new Webhook(secret).verify(delivery.body, delivery.headers, { jsonParse: false });
    return { valid: true };
  } catch (error) {
    return { valid: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

/** Throws unless the secret can be a Standard Webhooks signing secret (`whsec_<base64>`); the secret stays out of the message. */
export function checkSigningSecret(secret: string): void {
  try {
    new Webhook(secret);
  } catch (error) {
    throw new Error(
      `The webhook signing secret is not a Standard Webhooks secret (whsec_<base64>): ${describeError(error)}`,
      { cause: error },
    );
  }
}
