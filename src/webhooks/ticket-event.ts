import type { Classification } from '../classify/classification.js';
import type { AttachmentInfo, ParsedEmail } from '../parse/parsed-email.js';

/** What the decision stage knows when it chooses `ticket`; everything the event needs. */
export interface TicketEventInput {
  emailId: string;
  threadId: string;
  mailbox: string;
  receivedAt: Date;
  email: ParsedEmail;
  classification: Classification;
  model: string;
  promptVersion: string;
  rawEmailUrl: string | null;
}

/** The `ticket.suggested` body of DESIGN.md ("The event"). Receivers depend on these names. */
export interface TicketSuggestedEvent {
  type: 'ticket.suggested';
  timestamp: string;
  data: {
    email_id: string;
    thread_id: string;
    message_id: string | null;
    mailbox: string;
    from: string | null;
    from_name: string | null;
    subject: string;
    summary: string;
    body_text: string;
    priority: Classification['priority'];
    category: Classification['category'];
    intent: Classification['intent'];
    language: string;
    team: string | null;
    confidence: number;
    received_at: string;
    attachments: AttachmentInfo[];
    classifier: { model: string; prompt_version: string };
    raw_email_url?: string;
  };
}

export const TICKET_SUGGESTED = 'ticket.suggested';

/**
 * The webhook-id of an email's event. Derived from the email id alone, so every retry, replay and
 * re-run of the pipeline carries the same id and receivers can deduplicate on it.
 */
export function ticketEventId(emailId: string): string {
  const underscore = emailId.indexOf('_');
  return `msg_${underscore >= 0 ? emailId.slice(underscore + 1) : emailId}`;
}

export function buildTicketSuggestedEvent(input: TicketEventInput, now: Date): { id: string; body: TicketSuggestedEvent } {
  const { email, classification } = input;
  const data: TicketSuggestedEvent['data'] = {
    email_id: input.emailId,
    thread_id: input.threadId,
    message_id: email.messageId,
    mailbox: input.mailbox,
    from: email.from?.address || null,
    from_name: email.from?.name || null,
    subject: email.subject,
    summary: classification.summary,
    body_text: email.newestText,
    priority: classification.priority,
    category: classification.category,
    intent: classification.intent,
    language: classification.language,
    team: classification.team,
    confidence: classification.confidence,
    received_at: input.receivedAt.toISOString(),
    attachments: email.attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, size: a.size })),
    classifier: { model: input.model, prompt_version: input.promptVersion },
  };
  if (input.rawEmailUrl !== null) data.raw_email_url = input.rawEmailUrl;
  return { id: ticketEventId(input.emailId), body: { type: TICKET_SUGGESTED, timestamp: now.toISOString(), data } };
}
