import type { Classification } from '../classify/classification.js';

export const ACTIONS = ['ticket', 'draft', 'review', 'ignore'] as const;
export type Action = (typeof ACTIONS)[number];

/** A rule that fired. `code` is stable for programs; `text` is for a support lead. */
export interface Reason {
  code: string;
  text: string;
}

/** What a pre-filter found: the email is decided without any model call. */
export interface PrefilterHit {
  /** auto_reply | bounce | bulk | no_reply | own_address | oversize */
  kind: 'auto_reply' | 'bounce' | 'bulk' | 'no_reply' | 'own_address' | 'oversize';
  /** The action this pre-filter implies (ignore for most, review for oversize). */
  action: Action;
  reason: Reason;
}

/** One deterministic detector match, e.g. {flag:'legal', term:'avvocato', where:'body'}. */
export interface DetectorMatch {
  flag: 'payment' | 'legal';
  term: string;
  where: 'subject' | 'body' | 'hidden';
}

export interface DetectorResult {
  payment: boolean;
  legal: boolean;
  matches: DetectorMatch[];
}

/** Facts about the message the policy needs, apart from the classification. */
export interface MessageFacts {
  fromAddress: string | null;
  /** The sender matched policy.vip (address or domain). */
  vip: boolean;
  /** The sender can be answered: not no-reply, not auto-generated, not ourselves. */
  replyable: boolean;
}

export interface Policy {
  /** Minimum model confidence for a ticket suggestion, 0..1. */
  threshold: number;
  /** Whether reply drafts may be written at all (drafts.mode != off). */
  draftsEnabled: boolean;
}

export type ClassificationOutcome =
  /** offline: the rules baseline, which may never suggest a ticket on its own. */
  | { ok: true; classification: Classification; confidence: number; offline: boolean }
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
  flags: { payment: boolean; legal: boolean; vip: boolean };
  /** For a draft: only acknowledge, promise nothing (payment, legal, VIP). */
  acknowledgeOnly: boolean;
}
