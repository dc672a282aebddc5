/**
 * Webhooks: `ticket.suggested` for every ticket decision, as a Standard Webhooks event (docs/events.md),
 * through an outbox filled in the decision's transaction and sent by a handler on the job queue,
 * with per-subscription fairness, the Svix retry schedule, an SSRF guard and encrypted secrets.
 */

export { createSecretBox, defaultKeyFilePath, readOrCreateKeyFile, type SecretBox, secretBoxFromConfig } from '../db/index.js';
export {
  type AttemptView,
  DELIVERY_STATUSES,
  type DeliveryView,
  listAttempts,
  listDeliveries,
  type ReplayRefusal,
  replayDelivery,
  replayFailedSince,
} from './deliveries.js';
export {
  type ClaimedDelivery,
  type DeliveryContext,
  type DeliveryOutcome,
  deliverDueNow,
  deliveryHandler,
  nextAttemptDelay,
  startDeliveryWorker,
} from './delivery.js';
export { createWebhookAgents, type PostResult, type WebhookAgents } from './post-webhook.js';
export { type RawTokenCheck, rawEmailUrl, signRawEmailToken, verifyRawEmailToken } from './raw-email-link.js';
export { describeFailure, generateWebhookSecret, type SignedHeaders, sendSigned, signingSecrets, signWebhook, webhookSecretBytes } from './send-signed.js';
export { checkWebhookUrl, type ResolveHost, type UrlPolicy, WebhookUrlRefusedError } from './ssrf-guard.js';
export * from './subscriptions.js';
export {
  buildTicketSuggestedEvent,
  enqueueTicketEvent,
  insertEvent,
  TICKET_RETRACTED,
  TICKET_RETRACTED_SCHEMA,
  TICKET_SUGGESTED,
  TICKET_SUGGESTED_SCHEMA,
  type TicketEventInput,
  type TicketSuggestedEvent,
  ticketEffect,
  ticketEventId,
  webhooksOpenApi,
} from './ticket-event.js';
export { enqueueTicketRetracted, type RetractionInput, type RetractionResult } from './ticket-retracted.js';
