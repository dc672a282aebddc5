/**
 * Decide: the pure policy (decide.ts) and the deterministic detectors that back it. No I/O here:
 * given what the pre-filters, the model and the detectors found, the same input always gives the
 * same decision with the same reasons.
 */
export { decide, formatPair, localFlagsOf } from './decide.js';
export type { ClassificationOutcome, Decision, DecisionInput, DetectorResult, MessageFacts, Policy, SecondOpinion } from './decision.js';
export { detectFlags, warmDetectors } from './detectors/detect-flags.js';
export { isVip, normalizeDomain, type PolicySettings, policyFrom, policyVersion, type VipList } from './policy.js';
export { applySenderRules, type SenderRule } from './sender-rules.js';
