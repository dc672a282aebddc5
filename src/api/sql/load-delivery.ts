import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { EmailDeliveryRow } from './email-deliveries.js';

/** One delivery by id, in the same shape. */
export async function loadDelivery(db: Db, id: string): Promise<EmailDeliveryRow | null> {
  const { rows } = await sql<EmailDeliveryRow>`
    select d.id, e.id as webhook_id, e.type as event_type, e.email_id, d.subscription_id, s.url, d.status, d.attempts,
           d.next_attempt_at, d.last_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at
    from webhook_deliveries d
    join webhook_events e on e.id = d.event_id
    join webhook_subscriptions s on s.id = d.subscription_id
    where d.id = ${id}`.execute(db);
  return rows[0] ?? null;
}
