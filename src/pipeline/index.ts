/**
 * The pipeline: every stored message through pre-filters, the classifier, the detectors and the
 * policy to one recorded decision, with the outboxes of the later stages (DecisionEffect) filled
 * atomically with it. A handler on the job queue, shared by any number of processes.
 */
export { type Evaluation, type EvaluationContext, evaluateEmail, unparseableEvaluation, warmEvaluation } from './evaluate-email.js';
export { createModelWatch, type ModelState, type ModelWatch } from './model-watch.js';
export {
  acceptedRules,
  CLAIMED_COLUMNS,
  type ClaimedMessage,
  claimMessage,
  createPipelineContext,
  type DecisionEffect,
  keywordEffect,
  loadEmail,
  messageHandler,
  type PipelineContext,
  type ProcessOutcome,
  processMessage,
  startPipelineWorker,
} from './process-message.js';
export type { DecidedEmail } from './record-decision.js';
export { type TriageContext, type TriageOptions, type TriageResult, triageFiles } from './triage-files.js';
