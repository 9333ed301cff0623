import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** The Standard Webhooks headers of one signed request. */
export interface SignatureHeaders {
  /** Unique per step attempt; the same when that attempt is delivered again after a worker crash. */
  'webhook-id': string;
  /** Unix seconds when it was signed; receivers refuse a request more than 5 minutes off. */
  'webhook-timestamp': string;
  /** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`. */
  'webhook-signature': string;
}

/** A new signing secret: `whsec_` and the base64 of 32 random bytes, as Standard Webhooks advises. */
export function generateHttpAgentSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * Signs request bodies the Standard Webhooks way (https://www.standardwebhooks.com), so that a
 * receiver in any language checks them with its `Webhook(secret).verify(body, headers)`.
 */
export class HttpAgentSigner {
  private readonly webhook: Webhook;

  /** Throws when the secret is not `whsec_` (optional) and base64. */
  constructor(secret: string) {
    this.webhook = new Webhook(secret);
  }

  sign({ id, timestamp, body }: { id: string; timestamp: Date; body: string }): SignatureHeaders {
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': this.webhook.sign(id, timestamp, body),
    };
  }
}
