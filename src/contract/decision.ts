/** The decision contract (docs/design.md): what other programs (the API, the CLI's --json, receivers) rely on. */
export const ACTIONS = ['ticket', 'draft', 'review', 'ignore'] as const;
export type Action = (typeof ACTIONS)[number];

/** A rule that fired. `code` is stable for programs; `text` is for a support lead. */
export interface Reason {
  code: string;
  text: string;
}

/** Flags as finally applied: model OR detectors for payment/legal, configuration for VIP. */
export interface Flags {
  payment: boolean;
  legal: boolean;
  vip: boolean;
}

/** One deterministic detector match, e.g. {flag:'legal', term:'avvocato', where:'body'}. */
export interface DetectorMatch {
  flag: 'payment' | 'legal';
  term: string;
  /** Where it was found: the subject, the text a person reads, text hidden from the reader, or an attachment's file name. */
  where: 'subject' | 'body' | 'hidden' | 'attachment';
}

/** What a pre-filter found: the email is decided without any model call (decisions.prefilter). */
export interface PrefilterHit {
  kind: 'auto_reply' | 'bounce' | 'bulk' | 'no_reply' | 'own_address' | 'oversize';
  /** The action this pre-filter implies (ignore for most, review for oversize). */
  action: Action;
  reason: Reason;
}
