import type { Mailboxes } from '../config/index.js';
import type { Classification } from '../contract/index.js';
import type { EmailAddress, ParsedEmail } from '../parse/index.js';
import { isReplyableSender } from '../prefilter/index.js';
import { visible, visibleLines } from '../util/terminal-text.js';
import { type ComposedReply, composeReply, replyLanguage } from './compose-reply.js';
import { draftMessageId } from './process-draft.js';
import { NO_REDACTION, type ReplyPrivacy } from './reply-privacy.js';
import type { ReplyWriter, WrittenReply } from './write-reply.js';

export interface PreviewDraftInput {
  email: ParsedEmail;
  emailId: string;
  /** Mailbox name the email belongs to ("triage" for files): its address becomes the From when configured. */
  mailbox: string;
  classification: Classification | null;
  acknowledgeOnly: boolean;
  mailboxes: Mailboxes;
  /** Usually createReplyWriter({ config, logger }); the model is asked exactly as for a real draft. */
  writer: ReplyWriter;
  /** The model's view of the email and the way back to the values (classifier.redact); none by default. */
  privacy?: ReplyPrivacy;
  now?: Date;
}

export type DraftPreview =
  | {
      ok: true;
      reply: WrittenReply;
      composed: ComposedReply;
      /** The whole message (RFC 5322) as it would be stored in Drafts. */
      message: string;
      /** Headers a reader checks and the plain-text part, decoded: what the CLI prints. */
      readable: string;
    }
  | { ok: false; reason: string };

/**
 * The draft Mailroom would store for an email, without touching any mailbox: for
 * `mailroom triage --draft`. The From is the mailbox's address when the mailbox is configured,
 * otherwise the address the email was sent to.
 */
export async function previewDraft(input: PreviewDraftInput): Promise<DraftPreview> {
  const { email } = input;
  if (!isReplyableSender(email, input.mailboxes.ownAddresses(input.mailbox))) {
    return { ok: false, reason: 'the sender cannot be answered (a no-reply or automatic sender, or this mailbox itself): no reply draft' };
  }
  const from = fromAddressFor(input);
  const privacy = input.privacy ?? NO_REDACTION;
  const reply = await input.writer.write({ emailId: input.emailId, email, classification: input.classification, acknowledgeOnly: input.acknowledgeOnly, redacted: privacy.view });
  const composed = await composeReply({
    original: email,
    emailId: input.emailId,
    from,
    replyText: privacy.restore(reply.text).text,
    language: replyLanguage(reply.language),
    messageId: draftMessageId(`preview-${input.emailId}`, from.address),
    date: input.now ?? new Date(),
  });
  // Decoded values from the email: a CR/LF in a display name must not pass for a header line, and
  // nothing may act on the terminal it is printed to.
  const readable = [
    `From: ${visible(from.address)}`,
    `To: ${visible(composed.to.name ? `${composed.to.name} <${composed.to.address}>` : composed.to.address)}`,
    `Subject: ${visible(composed.subject)}`,
    ...(composed.inReplyTo ? [`In-Reply-To: ${visible(composed.inReplyTo)}`] : []),
    ...(composed.references.length > 0 ? [`References: ${visible(composed.references.join(' '))}`] : []),
    `X-Mailroom-Writer: ${reply.writer} (${reply.language})`,
    '',
    visibleLines(composed.text),
  ].join('\n');
  return { ok: true, reply, composed, message: composed.raw.toString('utf8'), readable };
}

function fromAddressFor(input: PreviewDraftInput): EmailAddress {
  const address = input.mailboxes.get(input.mailbox)?.replyFrom ?? input.email.to[0]?.address ?? 'mailroom@localhost';
  return { name: '', address };
}
