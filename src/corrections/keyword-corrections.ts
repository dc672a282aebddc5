import type { Action } from '../contract/index.js';
import { DECISION_KEYWORDS } from '../ingest/index.js';

/** The keywords a person sets in their mail client to correct a decision. */
export const CORRECTION_KEYWORDS: Record<'ticket' | 'review' | 'ignore', string> = {
  ticket: '$Mailroom-Ticket',
  review: '$Mailroom-Review',
  ignore: '$Mailroom-Ignore',
};

/** When a person set several at once, the most careful one wins: a person looks before anything is sent or dropped. */
const PRECEDENCE = ['review', 'ignore', 'ticket'] as const;

export interface KeywordFacts {
  /** The keywords on the message now (case as the server reports them). */
  present: ReadonlySet<string>;
  /** The action that stands: the latest correction, else the decision. */
  standing: Action;
  /** Keywords Mailroom itself set on this message (keyword_updates): never read back as a correction. */
  setByMailroom: ReadonlySet<string>;
  /** Actions already recorded from a keyword of this message (a keyword is one correction, however often it is seen). */
  alreadyRecorded: ReadonlySet<Action>;
}

/**
 * The correction a message's keywords express, or null. A keyword counts when a person put it
 * there: not one Mailroom set, not the one of the action that already stands, and not one already
 * recorded. Keyword names are compared case-insensitively (IMAP atoms are).
 */
export function correctionFromKeywords(facts: KeywordFacts): 'ticket' | 'review' | 'ignore' | null {
  const lower = (set: Iterable<string>) => new Set([...set].map((k) => k.toLowerCase()));
  const present = lower(facts.present);
  const mailroom = lower(facts.setByMailroom);
  const standingKeyword = (DECISION_KEYWORDS[facts.standing] ?? CORRECTION_KEYWORDS[facts.standing as 'ignore'] ?? '').toLowerCase();
  for (const action of PRECEDENCE) {
    const keyword = CORRECTION_KEYWORDS[action].toLowerCase();
    if (!present.has(keyword) || mailroom.has(keyword) || keyword === standingKeyword || facts.alreadyRecorded.has(action)) continue;
    return action;
  }
  return null;
}
