import { createHmac } from 'node:crypto';
import { webhookSecretBytes } from './webhook-secret.js';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks signature headers for one attempt. The signed content is
 * `id.timestamp.body` over the exact body bytes sent; each secret (the current one, and during a
 * rotation the previous one) adds a `v1,<base64 HMAC-SHA256>` entry, space-separated, so receivers
 * holding either secret accept the message.
 */
export function signWebhook(params: { id: string; timestamp: Date; body: string; secrets: readonly string[] }): SignedHeaders {
  if (params.secrets.length === 0) throw new Error(`cannot sign webhook ${params.id}: no secret`);
  const seconds = Math.floor(params.timestamp.getTime() / 1000).toString();
  const signatures = params.secrets.map((secret) => {
    const mac = createHmac('sha256', webhookSecretBytes(secret)).update(`${params.id}.${seconds}.`).update(params.body, 'utf8').digest('base64');
    return `v1,${mac}`;
  });
  return { 'webhook-id': params.id, 'webhook-timestamp': seconds, 'webhook-signature': signatures.join(' ') };
}
