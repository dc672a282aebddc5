import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DeliveryStatus } from '../../db/tables/webhooks.js';

export interface EmailDeliveryRow {
  id: string;
  webhook_id: string;
  event_type: string;
  email_id: string | null;
  subscription_id: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_status_code: number | null;
  last_error: string | null;
  delivered_at: Date | null;
  created_at: Date;
}

/** Every delivery of every event about one email (uses webhook_events_email_idx). */
export async function emailDeliveries(db: Db, emailId: string): Promise<EmailDeliveryRow[]> {
  const { rows } = await sql<EmailDeliveryRow>`
    select d.id, e.id as webhook_id, e.type as event_type, e.email_id, d.subscription_id, s.url, d.status, d.attempts,
           d.next_attempt_at, d.last_attempt_at, d.last_status_code, d.last_error, d.delivered_at, d.created_at
    from webhook_events e
    join webhook_deliveries d on d.event_id = e.id
    join webhook_subscriptions s on s.id = d.subscription_id
    where e.email_id = ${emailId}
    order by d.created_at, d.id`.execute(db);
  return rows;
}
