import type { Action, Classification, DetectorMatch, Flags, PiiKind, PrefilterHit, Reason } from '../contract/index.js';

export type { Action, DetectorMatch, Flags, PrefilterHit, Reason } from '../contract/index.js';

export interface DetectorResult {
  payment: boolean;
  legal: boolean;
  matches: DetectorMatch[];
  /**
   * When the payment flag is not raised: the weak payment signals of a telling kind that were found
   * ("Nutzer … entfernt"), too little alone; the local model's payment probability at or above
   * policy.localHintThreshold raises the flag beside them. Absent or empty when there are none.
   */
  paymentHints?: DetectorMatch[];
}

/** Facts about the message the policy needs, apart from the classification. */
export interface MessageFacts {
  fromAddress: string | null;
  /** The sender matched policy.vip (address or domain). */
  vip: boolean;
  /** The sender can be answered: not no-reply, not auto-generated, not ourselves. */
  replyable: boolean;
  /** Kinds of personal data found in the email (subject and text). */
  pii?: readonly PiiKind[];
}

export interface Policy {
  /** Minimum model confidence for a ticket suggestion, 0..1. */
  threshold: number;
  /** Whether reply drafts may be written at all (drafts.mode != off). */
  draftsEnabled: boolean;
  /** The local model's payment or legal probability at or above this raises the flag (classifier.local.flag_threshold). */
  localFlagThreshold?: number;
  /** The local model's probability of the billing intent at or above this raises the payment flag too (classifier.local.billing_flag_threshold). */
  localBillingThreshold?: number;
  /** The local model's payment probability at or above this raises the flag when the detectors found a payment hint (classifier.local.hint_flag_threshold). */
  localHintThreshold?: number;
  /** Mail holding personal data of these kinds goes to review (policy.review_when_pii). */
  reviewWhenPii?: readonly PiiKind[];
}

/** The local model's probabilities beside the AI model's answer. */
export interface SecondOpinion {
  payment: number;
  legal: number;
  /** That the email is a billing email (intent); absent from answers made before it was given. */
  billing?: number;
}

export type ClassificationOutcome =
  | {
      ok: true;
      classification: Classification;
      confidence: number;
      /** Who classified, in words for the reasons: "the AI model", "the offline rules classifier". */
      by: string;
      /** Null when this classifier may suggest tickets; otherwise why it may not (the rules baseline never may). */
      noTickets: string | null;
      /** The local model's probabilities beside the AI model's answer: a second opinion on the flags. */
      secondOpinion?: SecondOpinion;
    }
  | { ok: false; error: string };

export interface DecisionInput {
  prefilter: PrefilterHit | null;
  classification: ClassificationOutcome | null;
  detectors: DetectorResult;
  facts: MessageFacts;
  policy: Policy;
}

export interface Decision {
  action: Action;
  reasons: Reason[];
  /** Flags as finally applied: model OR detectors for payment/legal, config for VIP. */
  flags: Flags;
  /** For a draft: only acknowledge, promise nothing (payment, legal, VIP). */
  acknowledgeOnly: boolean;
}
