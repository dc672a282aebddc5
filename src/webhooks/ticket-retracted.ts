import type { Tx } from '../db/index.js';
import { newId } from '../util/ids.js';
import { choosesEvent } from './subscriptions.js';
import { insertEvent, TICKET_RETRACTED, ticketEventId } from './ticket-event.js';

export interface RetractionInput {
  emailId: string;
  /** The correction's id (cor_<ULID>): the retraction's webhook-id is derived from it. */
  correctionId: string;
  action: 'draft' | 'review' | 'ignore';
  correctedBy: string;
  note: string | null;
}

export interface RetractionResult {
  /** Deliveries of ticket.suggested still waiting that will now never be sent. */
  cancelled: number;
  /** ticket.retracted deliveries queued (to subscriptions that received the ticket and chose the event). */
  deliveries: number;
  eventId: string | null;
}

/**
 * A person corrected a ticket away. Call it INSIDE the correction's transaction: a ticket.suggested
 * that has not left yet is cancelled (nobody should get a ticket a person already undid), and every
 * subscription that received it — or is receiving it right now — gets `ticket.retracted` when it
 * chose that event. The retraction's webhook-id comes from the correction, so a second correction
 * retracts nothing twice: the first one leaves no ticket standing for anyone.
 */
export async function enqueueTicketRetracted(trx: Tx, input: RetractionInput, now: Date): Promise<RetractionResult> {
  const suggested = ticketEventId(input.emailId);
  const cancelled = await trx
    .updateTable('webhook_deliveries')
    .set({ status: 'failed', last_error: `not sent: ${input.correctedBy} corrected the email to ${input.action} before it was delivered (${input.correctionId})`, updated_at: now })
    .where('event_id', '=', suggested)
    .where('status', '=', 'pending')
    .where('locked_by', 'is', null)
    .executeTakeFirst();
  const receivers = await trx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .select('d.subscription_id')
    .where('d.event_id', '=', suggested)
    .where((eb) => eb.or([eb('d.status', '=', 'delivered'), eb.and([eb('d.status', '=', 'pending'), eb('d.locked_by', 'is not', null)])]))
    .where('s.enabled', '=', true)
    .where(choosesEvent('ticket.retracted'))
    .orderBy('d.subscription_id')
    .execute();
  const result = { cancelled: Number(cancelled.numUpdatedRows), deliveries: 0, eventId: null };
  if (receivers.length === 0) return result;
  const eventId = `msg_${input.correctionId.slice(input.correctionId.indexOf('_') + 1)}`;
  const body = {
    type: TICKET_RETRACTED,
    timestamp: now.toISOString(),
    data: { email_id: input.emailId, suggested_webhook_id: suggested, action: input.action, corrected_by: input.correctedBy, corrected_at: now.toISOString(), note: input.note },
  };
  await insertEvent(trx, { id: eventId, type: TICKET_RETRACTED, emailId: input.emailId, body: JSON.stringify(body), now });
  const inserted = await trx
    .insertInto('webhook_deliveries')
    .values(receivers.map((r) => ({ id: newId('dlv', now), event_id: eventId, subscription_id: r.subscription_id, next_attempt_at: now, created_at: now, updated_at: now })))
    .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
    .returning('id')
    .execute();
  return { ...result, deliveries: inserted.length, eventId };
}
