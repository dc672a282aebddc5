import { createHash } from 'node:crypto';
import type { ParsedEmail } from '../parse/parsed-email.js';
import { base32Digest, ulid } from '../util/ulid.js';

export function newEmailId(now?: number): string {
  return `em_${ulid(now)}`;
}

/**
 * Every message of a conversation gets the same thread id: derived from the root of its
 * References chain (or In-Reply-To, or its own Message-ID), so receivers can group tickets
 * without asking us.
 */
export function threadIdFor(email: Pick<ParsedEmail, 'references' | 'inReplyTo' | 'messageId'> | null, fallback: string): string {
  const root = email?.references[0] ?? email?.inReplyTo ?? email?.messageId ?? fallback;
  return `th_${base32Digest(createHash('sha256').update(root.toLowerCase()).digest())}`;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
