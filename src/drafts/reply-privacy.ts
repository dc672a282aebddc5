import type { Db, SecretBox } from '../db/index.js';
import type { ParsedEmail } from '../parse/index.js';
import { openMapping, type PiiEntry, type PiiKind, PLACEHOLDER, redactWithMapping, restorePlaceholders } from '../redact/index.js';

/**
 * Personal data and the reply draft: with classifier.redact the model that writes the reply sees
 * the email with placeholders, as the classifier did, and writes placeholders where the reply needs
 * a value; Mailroom puts the values back when it composes the draft, from the mapping stored
 * (encrypted) with the email.
 */
export interface ReplyPrivacy {
  /** What the model is shown instead of the email; null: the email itself (redaction off). */
  view: ParsedEmail | null;
  /** The text for the draft, with the values back; `note` says what could not be done, for the draft's record. */
  restore(text: string): { text: string; note: string | null };
}

/** Redaction off: the model sees the email, and a reply has nothing to put back. */
export const NO_REDACTION: ReplyPrivacy = { view: null, restore: (text) => ({ text, note: null }) };

/**
 * The view and the restore for one email. `stored` is the mapping made when the email was
 * classified, or why it cannot be read; without one (a dry run, an email classified before) the
 * view is made afresh. When the stored mapping cannot be read the model still sees no personal
 * data, and the draft keeps its placeholders with the reason: a value is never guessed.
 */
export function replyPrivacy(email: ParsedEmail, kinds: ReadonlySet<PiiKind> | null, stored: { mapping: PiiEntry[] } | { problem: string } | null): ReplyPrivacy {
  const known = stored && 'mapping' in stored ? stored.mapping : [];
  const problem = stored && 'problem' in stored ? stored.problem : null;
  if (!kinds) {
    // Redaction was turned off since: a reply written earlier with placeholders can still be filled.
    return known.length > 0 ? { view: null, restore: (text) => restoreWith(text, known) } : NO_REDACTION;
  }
  const { view, mapping } = redactWithMapping(email, kinds, known);
  if (problem === null) return { view, restore: (text) => restoreWith(text, mapping) };
  return {
    view,
    restore: (text) => ({ text, note: new RegExp(PLACEHOLDER.source).test(text) ? `${problem}: the draft keeps the placeholders, fill them in by hand` : null }),
  };
}

function restoreWith(text: string, mapping: readonly PiiEntry[]): { text: string; note: string | null } {
  const restored = restorePlaceholders(text, mapping);
  if (restored.invented.length === 0) return { text: restored.text, note: null };
  return { text: restored.text, note: `the model wrote placeholders that stand for nothing in this email (${[...new Set(restored.invented)].join(', ')}): removed` };
}

/** The stored mapping of an email, opened; `problem` when there is one it cannot open; null when there is none. */
export async function loadStoredMapping(db: Db, emailId: string, secretBox: (() => SecretBox) | undefined): Promise<{ mapping: PiiEntry[] } | { problem: string } | null> {
  const row = await db.selectFrom('pii_mappings').select('sealed').where('email_id', '=', emailId).executeTakeFirst();
  if (!row) return null;
  if (!secretBox) return { problem: 'the placeholder mapping of this email cannot be opened: this process has no secret key' };
  try {
    return { mapping: openMapping(secretBox(), emailId, row.sealed) };
  } catch (error) {
    return { problem: `the placeholder mapping of this email cannot be opened (${(error as Error).message}; is webhooks.secret_key the one it was stored under?)` };
  }
}
