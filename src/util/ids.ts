import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID: 48-bit millisecond time + 80 random bits, Crockford base32, 26 characters. Sorts by
 * creation time, which keeps ids readable in logs and indexes append-mostly.
 */
export function ulid(now: number = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32]! + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD[bytes[i]! % 32]!;
  return time + random;
}

/** `prefix_` + a ULID, so ids sort by creation time and say what they name (`em_…`, `sub_…`, `dlv_…`). */
export function newId(prefix: string, now: Date = new Date()): string {
  return `${prefix}_${ulid(now.getTime())}`;
}

/** Crockford base32 of the first 130 bits of a digest: a short, stable, url-safe id. */
export function base32Digest(digest: Buffer, length = 26): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31]!;
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= length) break;
  }
  return out;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
