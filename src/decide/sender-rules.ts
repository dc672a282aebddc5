import type { Action } from '../contract/index.js';
import type { Decision } from './decision.js';

/** A rule a person accepted (`mailroom rules accept`): mail from this sender or domain gets this action. */
export interface SenderRule {
  kind: 'sender' | 'domain';
  value: string;
  action: Action;
}

/**
 * The decision after the accepted sender rules: the sender's own rule before its domain's. A rule
 * never makes a ticket of payment, legal or VIP mail (flags stay conservative whoever asks), and
 * never touches mail a pre-filter decided (bounces, auto-replies, our own address: a rule there
 * could start a reply loop).
 */
export function applySenderRules(decision: Decision, from: string | null, prefiltered: boolean, rules: readonly SenderRule[]): Decision {
  if (!from || prefiltered || rules.length === 0) return decision;
  const address = from.toLowerCase();
  const domain = address.slice(address.lastIndexOf('@') + 1);
  const rule = rules.find((r) => r.kind === 'sender' && r.value === address) ?? rules.find((r) => r.kind === 'domain' && (domain === r.value || domain.endsWith(`.${r.value}`)));
  if (!rule || rule.action === decision.action) return decision;
  const flagged = decision.flags.payment || decision.flags.legal || decision.flags.vip;
  if (rule.action === 'ticket' && flagged) {
    return {
      ...decision,
      reasons: [...decision.reasons, { code: 'sender_rule_refused', text: `The accepted rule for ${rule.value} says ticket, but flagged mail is never suggested as a ticket` }],
    };
  }
  return {
    ...decision,
    action: rule.action,
    reasons: [...decision.reasons, { code: 'sender_rule', text: `A person accepted the rule: mail from ${rule.value} → ${rule.action} (it was going to be ${decision.action})` }],
  };
}
