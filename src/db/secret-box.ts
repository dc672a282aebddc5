import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Config } from '../config/index.js';

/**
 * Encrypts subscription secrets at rest (AES-256-GCM), so a database dump or backup alone does not
 * let anyone forge Mailroom's signatures. The key comes from `webhooks.secret_key` (usually
 * `${MAILROOM_SECRET_KEY}`); without one, from a key file Mailroom creates once beside the embedded
 * database (`data/secret.key`, mode 0600). The key never enters the database.
 *
 * Stored form: `v1.<key id>.<base64 iv|tag|ciphertext>`. The key id (8 hex of a hash of the key) lets
 * a wrong key be named as such instead of as "corrupt data". The subscription id is bound in as
 * associated data, so a ciphertext copied onto another row does not decrypt.
 *
 * The same key seals other data kept at rest (the placeholder mapping of a redacted email), bound
 * to what it belongs to by `seal`/`open`, whose errors name no subscription.
 */
export interface SecretBox {
  /** Where the key came from, for messages: "webhooks.secret_key" or the key file's path. */
  readonly source: string;
  encrypt(plaintext: string, subscriptionId: string): string;
  decrypt(stored: string, subscriptionId: string): string;
  /** Encrypts anything, bound to `boundTo` (e.g. "pii:em_…"). */
  seal(plaintext: string, boundTo: string): string;
  /** Throws SealError (wrong key, altered, copied from another row, unknown format). */
  open(stored: string, boundTo: string): string;
}

/** Sealed data that does not open here; `reason` says why in words for the operator. */
export class SealError extends Error {
  override readonly name = 'SealError';
  constructor(
    readonly reason: 'format' | 'other_key' | 'altered',
    message: string,
  ) {
    super(message);
  }
}

const VERSION = 'v1';
const SALT = 'mailroom/webhook-secrets/v1';
const keyCache = new Map<string, Buffer>();

function deriveKey(material: string): Buffer {
  let key = keyCache.get(material);
  if (!key) {
    // scrypt rather than a bare hash: a hand-typed secret_key may be weaker than it should be.
    key = scryptSync(material, SALT, 32, { N: 1 << 14, r: 8, p: 1 });
    keyCache.set(material, key);
  }
  return key;
}

export function createSecretBox(keyMaterial: string, source: string): SecretBox {
  if (keyMaterial.trim() === '') throw new Error(`the webhook secret key from ${source} is empty`);
  const key = deriveKey(keyMaterial);
  const keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  const seal = (plaintext: string, boundTo: string): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(boundTo, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${keyId}.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  };
  const open = (stored: string, boundTo: string): string => {
    const [version, storedKeyId, payload] = stored.split('.');
    if (version !== VERSION || !storedKeyId || !payload) throw new SealError('format', 'not in a format this Mailroom knows');
    if (storedKeyId !== keyId) {
      throw new SealError('other_key', `encrypted under another key (key id ${storedKeyId}, this process has ${keyId} from ${source})`);
    }
    const bytes = Buffer.from(payload, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAAD(Buffer.from(boundTo, 'utf8'));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SealError('altered', 'does not decrypt (altered or copied from another row)');
    }
  };
  return {
    source,
    seal,
    open,
    encrypt: seal,
    decrypt(stored, subscriptionId) {
      try {
        return open(stored, subscriptionId);
      } catch (error) {
        if (!(error instanceof SealError)) throw error;
        if (error.reason === 'format') {
          throw new Error(`the secret of subscription ${subscriptionId} is not in a format this Mailroom knows; run \`mailroom subscriptions rotate-secret ${subscriptionId}\``);
        }
        if (error.reason === 'other_key') {
          throw new Error(
            `the secret of subscription ${subscriptionId} was ${error.message}: ` +
              `give every Mailroom process the same webhooks.secret_key, or run \`mailroom subscriptions rotate-secret ${subscriptionId}\``,
          );
        }
        throw new Error(`the stored secret of subscription ${subscriptionId} does not decrypt (altered or copied from another row); run \`mailroom subscriptions rotate-secret ${subscriptionId}\``, {
          cause: error,
        });
      }
    },
  };
}

/** `data/secret.key` for the default `database.path` of `data/pglite`. */
export function defaultKeyFilePath(config: Pick<Config, 'database'>): string {
  return resolve(dirname(resolve(config.database.path)), 'secret.key');
}

/**
 * Reads the key file, creating it when missing. Creation writes a temporary file and hard-links it
 * into place, which fails if another process won the race; then that process's key is read, so
 * two processes starting together never end up with different keys.
 */
export function readOrCreateKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read the webhook secret key file ${path}: ${(error as Error).message}`, { cause: error });
  }
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(temporary, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create the webhook secret key file ${path}: ${(error as Error).message}`, { cause: error });
  } finally {
    unlinkSync(temporary);
  }
  return readFileSync(path, 'utf8').trim();
}

/** The secret box a Mailroom process uses: config key first, key file otherwise. */
export function secretBoxFromConfig(config: Pick<Config, 'webhooks' | 'database'>, options: { keyFile?: string } = {}): SecretBox {
  if (config.webhooks.secret_key) return createSecretBox(config.webhooks.secret_key, 'webhooks.secret_key');
  const path = options.keyFile ?? defaultKeyFilePath(config);
  return createSecretBox(readOrCreateKeyFile(path), path);
}
