/**
 * Parse and clean: raw bytes to a ParsedEmail (addresses, headers, attachment facts, and the
 * text in four stages: full, hidden, newest message, length-capped). Mail is parsed once, at
 * ingest, and stored (toStoredEmail); later stages read it back (fromStoredEmail).
 */
export { assertLooksLikeEmail, isMalformedEmailError, MalformedEmailError, type MalformedReason } from './detect-non-email.js';
export { trimTrailingBlanks } from './normalize-text.js';
export { DEFAULT_MAX_CLEAN_CHARS, newestTextOf, type ParseEmailOptions, parseEmail, REPARSE_PATIENCE } from './parse-email.js';
export { type AttachmentInfo, type EmailAddress, fromStoredEmail, type ParsedEmail, STORED_EMAIL_VERSION, storedFailure, toStoredEmail, toStoredFailure } from './parsed-email.js';
