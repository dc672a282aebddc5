/** A message as it arrives from a mailbox or a file, before anything is decided about it. */
export interface IncomingMessage {
  mailbox: string;
  source: 'imap' | 'file';
  /** The whole message; null when it is over ingest.max_message_bytes and only headers were fetched. */
  raw: Buffer | null;
  /** Header block, required when raw is null. */
  rawHeaders?: string | null;
  sizeBytes: number;
  imap?: { uidvalidity: number; uid: number };
  receivedAt?: Date;
}
