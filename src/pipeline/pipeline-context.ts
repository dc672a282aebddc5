import type { Classifier } from '../classify/classifier.js';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/database.js';
import type { Clock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';
import type { Decision } from '../decide/decision.js';

/** What the workers that turn stored messages into decisions need. */
export interface PipelineContext {
  db: Db;
  config: Config;
  classifier: Classifier;
  logger: Logger;
  clock: Clock;
  /** Identifies this worker's claims: host, pid and a random part. */
  workerId: string;
  /** Called after a decision is committed (wake the delivery worker, set IMAP keywords…). */
  onDecided?: (event: { emailId: string; mailbox: string; decision: Decision; imapUid: number | null }) => void;
}

/** The mailbox's own addresses (loop guard), from configuration. */
export function ownAddressesOf(config: Config, mailbox: string): string[] {
  const configured = config.mailboxes.find((m) => m.name === mailbox);
  if (!configured) return [];
  const addresses = configured.addresses.length > 0 ? configured.addresses : configured.user.includes('@') ? [configured.user] : [];
  return addresses.map((a) => a.toLowerCase());
}
