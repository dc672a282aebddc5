import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/index.js';
import { defaultKeyFilePath, readOrCreateKeyFile } from '../db/secret-box.js';

type LinkConfig = Pick<Config, 'api' | 'webhooks' | 'database'>;

/**
 * Signed links to an email's original message (`raw_email_url` in ticket.suggested), so a ticket
 * tool can fetch the message and its attachments without an API token.
 *
 * Token: `<expiry in Unix seconds>.<base64url HMAC-SHA256 over "raw-email/v1:<email id>:<expiry>">`.
 * The key is `api.link_secret`; without one it is derived (HKDF) from the same key material that
 * encrypts webhook secrets (`webhooks.secret_key`, else the key file beside the embedded database),
 * under its own label, so a link key never equals the encryption key. Processes that share a
 * database must share that material for one process's links to open on another.
 */

const LABEL = 'raw-email/v1';
const keyCache = new Map<string, Buffer>();

function linkKey(config: LinkConfig, options: { keyFile?: string } = {}): Buffer {
  const material = config.api.link_secret ?? config.webhooks.secret_key ?? readOrCreateKeyFile(options.keyFile ?? defaultKeyFilePath(config));
  const source = config.api.link_secret ? 'link' : 'derived';
  const cacheKey = `${source}\0${material}`;
  let key = keyCache.get(cacheKey);
  if (!key) {
    key = source === 'link' ? Buffer.from(material, 'utf8') : Buffer.from(hkdfSync('sha256', Buffer.from(material, 'utf8'), Buffer.from('mailroom'), Buffer.from(LABEL), 32));
    keyCache.set(cacheKey, key);
  }
  return key;
}

function mac(key: Buffer, emailId: string, expiresAt: number): Buffer {
  return createHmac('sha256', key).update(`${LABEL}:${emailId}:${expiresAt}`).digest();
}

export function signRawEmailToken(config: LinkConfig, emailId: string, expiresAt: Date, options: { keyFile?: string } = {}): string {
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  return `${seconds}.${mac(linkKey(config, options), emailId, seconds).toString('base64url')}`;
}

/** The link for an event, or null when `api.public_url` is not set (events then carry no link). */
export function rawEmailUrl(config: LinkConfig, emailId: string, now: Date, options: { keyFile?: string } = {}): string | null {
  if (!config.api.public_url) return null;
  const token = signRawEmailToken(config, emailId, new Date(now.getTime() + config.api.raw_link_ttl), options);
  const base = config.api.public_url.replace(/\/+$/, '');
  return `${base}/v1/emails/${encodeURIComponent(emailId)}/raw?token=${token}`;
}

export type RawTokenCheck = { ok: true; expiresAt: Date } | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/**
 * Checks a link token for this email. The signature is checked before the expiry, so a token whose
 * expiry was edited is reported as tampered, not as expired.
 */
export function verifyRawEmailToken(config: LinkConfig, emailId: string, token: string, now: Date, options: { keyFile?: string } = {}): RawTokenCheck {
  // One spelling per token: no leading zero on the expiry, and the MAC compared as the exact text
  // signRawEmailToken writes (43 base64url characters carry 258 bits; decoding ignores the last
  // two, so comparing decoded bytes would accept four spellings of one signature).
  const match = /^([1-9]\d{0,11})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return { ok: false, reason: 'malformed' };
  const seconds = Number(match[1]);
  const given = Buffer.from(match[2]!, 'ascii');
  const expected = Buffer.from(mac(linkKey(config, options), emailId, seconds).toString('base64url'), 'ascii');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  if (seconds * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return { ok: true, expiresAt: new Date(seconds * 1000) };
}
