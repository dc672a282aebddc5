/**
 * Shadow mode (classifier.shadow): a candidate classifier classifies live mail too (and the files
 * `mailroom triage` stores), after the live decision, on the shared job queue with its own limits;
 * the action it would have taken is stored beside the live one and never acted on. `mailroom shadow
 * report` and /metrics compare the two, `mailroom doctor` probes the candidate, and `mailroom eval
 * --compare` does the same on a labeled folder.
 */
export { type CandidateOptions, candidateName, candidateSettings, createShadowCandidate, type ShadowCandidate } from './candidate.js';
export { type ComparedEmail, type Comparison, compareDecisions, formatComparison, percentile, type Side, type Truth } from './compare.js';
export { formatShadowReport, type ShadowReport, shadowReports } from './report.js';
export { type ClaimedShadow, processShadow, type ShadowContext, type ShadowOutcome, shadowContext, shadowEffect, shadowHandler, shadowNow, startShadowWorker } from './shadow-worker.js';
export { SHADOW_WINDOW, type ShadowUsage, shadowUsage } from './usage.js';
