/**
 * standby: another process holds this mailbox's lease; connecting / reconnecting: trying to reach
 * the server (see lastError); connected: watching (IDLE plus periodic sweeps).
 */
export type WatcherState = 'starting' | 'standby' | 'connecting' | 'connected' | 'reconnecting' | 'stopped';

/** One mailbox as /ready and `mailroom doctor` show it. */
export interface MailboxStatus {
  mailbox: string;
  folder: string;
  state: WatcherState;
  connected: boolean;
  /** This process holds the mailbox's watch lease. */
  leaseHeld: boolean;
  /** The lease holder seen last (this process or another). */
  leaseHolder: string | null;
  /** When the current state began: connected since, or trying since. */
  since: Date;
  lastError: string | null;
  uidvalidity: number | null;
  lastUid: number | null;
  /** Messages this process stored for the mailbox since it started. */
  stored: number;
}
