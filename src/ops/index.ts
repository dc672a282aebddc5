/**
 * Operations: readiness and the database-backed metrics for the HTTP API, secret-redacting logs,
 * and `mailroom doctor`.
 */
export { type CheckResult, formatCheckLine, formatSummary } from './doctor/checklist.js';
export { type DoctorOptions, runDoctor } from './doctor/run-doctor.js';
export { observeDatabase } from './metrics.js';
export { createReadiness, type LlmEndpoint, type LlmProbe, llmProbe, type ReadinessReport, resolveLlmEndpoint } from './readiness.js';
export { createRedactingLogger, redactLogLine, redactSecrets, SecretSet, secretsFromConfig } from './redact.js';
