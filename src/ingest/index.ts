/**
 * Mail in: IMAP watchers (IDLE plus UID sweeps, a cursor per mailbox moved in the transaction that
 * stores, one watcher per mailbox across processes by lease), the store that every message passes
 * through (files too), and the IMAP keywords that show each decision in the mail client.
 */
export { ConnectGate, connectThroughGate, type GateStatus } from './connect-gate.js';
export { type Cursor, readCursor } from './cursor.js';
export { describeResolvedFolder, FolderMissingError, findFolder, type ListedFolder, type PersonalNamespace, personalNamespace, resolveFolder } from './folders.js';
export { classifyImapError, createImapClient, describeImapError, describeMailbox, imapOptionsFor, imapServerKey, isLoopbackHost, withImapSession } from './imap-client.js';
export {
  acceptsKeywords,
  createKeywordSupport,
  DECISION_KEYWORDS,
  enqueueCorrectionKeyword,
  enqueueKeyword,
  type KeywordOutcome,
  type KeywordSupport,
  keywordHandler,
  NO_CUSTOM_KEYWORDS,
} from './keywords.js';
export { releaseDeadLocalLeases } from './lease.js';
export type { MailboxStatus, WatcherState } from './mailbox-watcher.js';
export { type IngestSummary, loginGate, type MailboxWatchers, startMailboxWatchers } from './start-mailbox-watchers.js';
export { emailIdentity, findStoredEmail, headerBlock, type IncomingMessage, type StoredMessage, storeMessage, threadIdFor } from './store-message.js';
