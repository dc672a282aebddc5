import type { Classification } from '../contract/index.js';
import type { DbOrTx, Tx } from '../db/index.js';
import type { AttachmentInfo, ParsedEmail } from '../parse/index.js';
import type { DecisionEffect } from '../pipeline/index.js';
import { newId } from '../util/ids.js';

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

/**
 * Puts `ticket.suggested` in the outbox for every `ticket` decision, INSIDE the decision's
 * transaction: the event and its deliveries exist exactly when the decision does, and nothing is
 * sent before that commit (the worker only sees committed rows).
 */
export function ticketEffect(options: { rawEmailUrl: (emailId: string, now: Date) => string | null; wake: () => void }): DecisionEffect {
  return {
    async enqueue(trx, decided) {
      const result = decided.evaluation.classification;
      if (decided.decision.action !== 'ticket' || !result) return false;
      const input: TicketEventInput = {
        emailId: decided.emailId,
        threadId: decided.threadId,
        mailbox: decided.mailbox,
        receivedAt: decided.receivedAt,
        email: decided.email,
        classification: result.classification,
        model: result.model,
        promptVersion: result.promptVersion,
        rawEmailUrl: options.rawEmailUrl(decided.emailId, decided.now),
      };
      return (await enqueueTicketEvent(trx, input, decided.now)).deliveries > 0;
    },
    wake: options.wake,
  };
}

/** The event and one delivery per enabled subscription. Safe to call twice for one email. */
export async function enqueueTicketEvent(trx: Tx, input: TicketEventInput, now: Date): Promise<{ eventId: string; deliveries: number }> {
  const event = buildTicketSuggestedEvent(input, now);
  await insertEvent(trx, { id: event.id, type: TICKET_SUGGESTED, emailId: input.emailId, body: JSON.stringify(event.body), now });
  const deliveries = await insertDeliveriesForEnabledSubscriptions(trx, event.id, now);
  return { eventId: event.id, deliveries };
}

/**
 * Stores an event body once. A second call for the same id (the pipeline re-running an email)
 * keeps the first bytes, so every attempt signs exactly what the first one did.
 */
export async function insertEvent(db: DbOrTx, event: { id: string; type: string; emailId: string | null; body: string; now: Date }): Promise<void> {
  await db
    .insertInto('webhook_events')
    .values({ id: event.id, type: event.type, email_id: event.emailId, body: event.body, created_at: event.now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * One outbox row per enabled subscription, due at `dueAt`. The unique (event, subscription) pair
 * makes a repeated call a no-op. Returns how many rows were new.
 */
export async function insertDeliveriesForEnabledSubscriptions(db: DbOrTx, eventId: string, now: Date, dueAt: Date = now): Promise<number> {
  const subscriptions = await db.selectFrom('webhook_subscriptions').select('id').where('enabled', '=', true).orderBy('id').execute();
  if (subscriptions.length === 0) return 0;
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values(
      subscriptions.map((s) => ({
        id: newId('dlv', now),
        event_id: eventId,
        subscription_id: s.id,
        next_attempt_at: dueAt,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
