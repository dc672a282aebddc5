import type { Tx } from '../db/database.js';
import { insertDeliveriesForEnabledSubscriptions } from './sql/insert-deliveries.js';
import { insertEvent } from './sql/insert-event.js';
import { buildTicketSuggestedEvent, TICKET_SUGGESTED, type TicketEventInput } from './ticket-event.js';

/**
 * Puts `ticket.suggested` in the outbox. Call it INSIDE the transaction that stores the `ticket`
 * decision: the event and its deliveries then exist exactly when the decision does, and nothing is
 * sent before that commit (the worker only sees committed rows). Safe to call twice for one email.
 * Call the delivery worker's `wake()` after the commit to send without waiting for its next poll.
 */
export async function enqueueTicketEvent(trx: Tx, input: TicketEventInput, now: Date): Promise<{ eventId: string; deliveries: number }> {
  const event = buildTicketSuggestedEvent(input, now);
  await insertEvent(trx, { id: event.id, type: TICKET_SUGGESTED, emailId: input.emailId, body: JSON.stringify(event.body), now });
  const deliveries = await insertDeliveriesForEnabledSubscriptions(trx, event.id, now);
  return { eventId: event.id, deliveries };
}
