import { createHmac, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { SecretBox } from '../db/secret-box.js';
import { type PostResult, postWebhook, type WebhookAgents } from './post-webhook.js';
import { checkWebhookUrl, type UrlPolicy } from './ssrf-guard.js';

const PREFIX = 'whsec_';

/** A new signing secret: `whsec_` + base64 of 24 random bytes, as Svix and Standard Webhooks do. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString('base64');
}

/** The key bytes a secret stands for: the HMAC key is the decoded base64, not the text. */
export function webhookSecretBytes(secret: string): Buffer {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  const bytes = Buffer.from(encoded, 'base64');
  if (bytes.length === 0) throw new Error('webhook secret is empty: expected whsec_ followed by base64');
  return bytes;
}

/**
 * The secrets that sign right now: the current one, plus the previous one while its rotation
 * overlap lasts, so receivers that have not switched yet keep verifying.
 */
export function signingSecrets(
  box: SecretBox,
  subscription: { subscription_id: string; secret_encrypted: string; previous_secret_encrypted: string | null; previous_secret_expires_at: Date | null },
  now: Date,
): string[] {
  const secrets = [box.decrypt(subscription.secret_encrypted, subscription.subscription_id)];
  const expires = subscription.previous_secret_expires_at;
  if (subscription.previous_secret_encrypted && expires && new Date(expires).getTime() > now.getTime()) {
    secrets.push(box.decrypt(subscription.previous_secret_encrypted, subscription.subscription_id));
  }
  return secrets;
}

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

/**
 * Guard, sign and POST one message. The URL is checked (and resolved and pinned) on every call,
 * not only when the subscription was added: DNS can change between the two. The timestamp is the
 * time of THIS attempt, so a retry days later is not rejected by the receiver's tolerance window.
 * Never throws: a refused URL or an undecryptable secret comes back as an error result.
 */
export async function sendSigned(params: {
  url: string;
  id: string;
  body: string;
  secrets: () => string[];
  now: () => Date;
  urlPolicy: UrlPolicy;
  timeoutMs: number;
  agents?: WebhookAgents;
}): Promise<PostResult> {
  const started = performance.now();
  try {
    const checked = await checkWebhookUrl(params.url, params.urlPolicy);
    const headers = signWebhook({ id: params.id, timestamp: params.now(), body: params.body, secrets: params.secrets() });
    return await postWebhook({
      checked,
      headers: { ...headers },
      body: params.body,
      timeoutMs: params.timeoutMs,
      ...(params.agents ? { agents: params.agents } : {}),
    });
  } catch (error) {
    return { statusCode: null, headers: {}, bodyHead: '', latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

/** What went wrong with an answer that is not a 2xx, in words for the attempt log. */
export function describeFailure(result: PostResult): string | null {
  if (result.statusCode === null) return result.error ?? 'no answer';
  if (result.statusCode >= 200 && result.statusCode < 300) return null;
  if (result.statusCode >= 300 && result.statusCode < 400) {
    const location = result.headers.location;
    return `HTTP ${result.statusCode}: redirect${location ? ` to ${location}` : ''} not followed (give the subscription its final URL)`;
  }
  if (result.statusCode === 410) return 'HTTP 410 Gone: the receiver asked for no more events';
  return `HTTP ${result.statusCode}`;
}
