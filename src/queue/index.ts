/**
 * The job queue every stage after the decision shares (messages, drafts, deliveries, keywords):
 * claim with FOR UPDATE SKIP LOCKED, fenced writes, a runner with wake / drainOnce / stop.
 * The design notes are in queue.ts; docs/design.md has the picture.
 */
export { isDeadLocalHolder, releaseDeadLocalClaims } from './dead-claims.js';
export {
  type Claim,
  ClaimLostError,
  type ClaimOptions,
  claim,
  claimOf,
  complete,
  newWorkerId,
  QUEUE_TABLES,
  type QueueRow,
  type QueueTable,
  releaseClaims,
  reschedule,
  STALE_CLAIM_MS,
  updateClaimed,
} from './queue.js';
export { createRunner, type QueueHandler, type Runner, type RunnerDeps } from './runner.js';
