/**
 * `mailroom eval`: the decision on a labeled folder (eval/README.md), storing and sending nothing,
 * measured: flags per part of the safety net, actions, pre-filters, intents, tokens, every miss.
 */
export { type Label, LabelError, type LabeledEmail, loadLabeledFolder } from './labels.js';
export { formatReport } from './report.js';
export { type EmailResult, type EvalOptions, fooledClassifier, runEval } from './run-eval.js';
export { type EvalSummary, type Score, summarize } from './summary.js';
