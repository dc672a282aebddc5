/**
 * Corrections: a person says what Mailroom should have done with an email — from the command line,
 * the API, or their mail client (keywords and folders). Each is stored beside the decision (which
 * stays as it was), sets the webhook side in motion (ticket.suggested, ticket.retracted), and is a
 * label the classifiers learn from.
 */

export { type ExportResult, exportCorrections } from './export-corrections.js';
export { type ImapCorrections, type ImapCorrectionsOptions, startImapCorrections } from './imap-corrections.js';
export { CORRECTION_KEYWORDS, correctionFromKeywords, type KeywordFacts } from './keyword-corrections.js';
export { type CorrectionFilter, type CorrectionRow, correctionView, listCorrections } from './list-corrections.js';
export {
  CORRECTION_FLAGS,
  type CorrectionContext,
  type CorrectionFlag,
  type CorrectionInput,
  CorrectionRefusedError,
  type RecordedCorrection,
  recordCorrection,
  recordCorrectionOnce,
  standingAction,
  validateCorrection,
} from './record-correction.js';
export { isoWeek, type OverrideCount, type OverrideStats, overrideStats } from './stats.js';
export { acceptRule, MIN_CORRECTIONS, type RuleSuggestion, suggestRules, UnknownRuleError } from './suggest-rules.js';
