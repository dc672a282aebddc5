/**
 * The HTTP API `mailroom run` serves: probes, Prometheus metrics, the audit log, raw emails through
 * signed links, and the management of subscriptions and deliveries — described in /openapi.json.
 */
export { type ApiContext, createApiServer, parseListen, type RunningApi, startApiServer } from './create-server.js';
export { decisionView, listDecisions, listWaitingMessages, WAITING_STATUSES, type WaitingMessage, type WaitingStatus } from './queries.js';
