/**
 * Redact: finds personal data in an email (addresses, phone numbers, IBANs, card numbers, national
 * and tax ids, dates of birth, postal addresses, people's names) and makes the view a hosted model is shown, with
 * typed numbered placeholders, plus the mapping that puts the values back into a reply draft.
 * Sits before classify; the detectors and the decision keep the unredacted text.
 */
export { cifValid, codiceFiscaleValid, dniNieValid, luhnValid, nirValid, steuerIdValid } from './checksums.js';
export { detectPii, MAX_CANDIDATES, type PiiMatch, warmPii } from './detect.js';
export { isLoopbackUrl, PII_KINDS, type PiiCounts, type PiiKind, PLACEHOLDER, placeholderFor, redactionKinds } from './kinds.js';
export { personName } from './names.js';
export {
  applyMapping,
  countPii,
  type EmailPii,
  examineEmail,
  kindsOf,
  openMapping,
  type PiiEntry,
  Redactor,
  redactedFields,
  redactWithMapping,
  restorePlaceholders,
  type Sealer,
  sealMapping,
  senderNames,
} from './redact.js';
