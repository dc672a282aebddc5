import { ACTIONS, type Action } from '../contract/index.js';
import type { Db } from '../db/index.js';
import { newId } from '../util/ids.js';

/** Corrections of one sender or domain to one action before a rule is suggested. */
export const MIN_CORRECTIONS = 3;
/** Share of that sender's corrections that must agree: a sender people correct both ways gets no rule. */
const MIN_AGREEMENT = 0.8;
/** Domains shared by unrelated people: a rule for a whole one would judge strangers by a few. */
const SHARED_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'yahoo.com',
  'icloud.com',
  'me.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'gmx.de',
  'gmx.net',
  'web.de',
  't-online.de',
  'libero.it',
  'virgilio.it',
  'orange.fr',
  'free.fr',
  'laposte.net',
  'yahoo.fr',
  'yahoo.it',
  'yahoo.es',
  'telefonica.net',
]);

export interface RuleSuggestion {
  /** `sender:<address>:<action>` or `domain:<domain>:<action>`: what `mailroom rules accept` takes. */
  id: string;
  kind: 'sender' | 'domain';
  value: string;
  action: Action;
  /** Standing corrections of this sender/domain to this action, and to anything. */
  corrections: number;
  correctedTotal: number;
  /** Emails from it Mailroom decided otherwise: what the rule would have changed. */
  wouldChange: number;
  decided: number;
}

/**
 * Senders and domains people corrected to the same action again and again. Each suggestion says how
 * many of their decided emails it would have changed. Nothing is applied until a person accepts it.
 */
export async function suggestRules(db: Db, options: { min?: number } = {}): Promise<RuleSuggestion[]> {
  const min = options.min ?? MIN_CORRECTIONS;
  const rows = await db
    .selectFrom('corrections as k')
    .innerJoin('messages as m', 'm.id', 'k.email_id')
    .select(['k.email_id', 'k.to_action', 'm.from_address', 'k.created_at', 'k.id'])
    .where('m.from_address', 'is not', null)
    .orderBy('k.created_at')
    .orderBy('k.id')
    .execute();
  const standing = new Map<string, { from: string; action: Action }>();
  for (const row of rows) standing.set(row.email_id, { from: row.from_address!.toLowerCase(), action: row.to_action });
  const groups = new Map<string, { kind: 'sender' | 'domain'; value: string; actions: Map<Action, number>; senders: Set<string> }>();
  for (const { from, action } of standing.values()) {
    const domain = from.slice(from.lastIndexOf('@') + 1);
    for (const [kind, value] of [
      ['sender', from],
      ['domain', domain],
    ] as const) {
      const key = `${kind}:${value}`;
      const group = groups.get(key) ?? { kind, value, actions: new Map(), senders: new Set() };
      group.actions.set(action, (group.actions.get(action) ?? 0) + 1);
      group.senders.add(from);
      groups.set(key, group);
    }
  }
  const accepted = new Set((await db.selectFrom('sender_rules').select(['kind', 'value']).execute()).map((r) => `${r.kind}:${r.value}`));
  const suggestions: RuleSuggestion[] = [];
  for (const [key, group] of groups) {
    if (accepted.has(key)) continue;
    // A domain rule is worth it only when several of its senders were corrected alike.
    if (group.kind === 'domain' && (group.senders.size < 2 || SHARED_DOMAINS.has(group.value))) continue;
    const total = [...group.actions.values()].reduce((a, b) => a + b, 0);
    const [action, count] = [...group.actions].sort((a, b) => b[1] - a[1])[0]!;
    if (count < min || count / total < MIN_AGREEMENT) continue;
    const impact = await impactOf(db, group.kind, group.value, action);
    suggestions.push({ id: `${key}:${action}`, kind: group.kind, value: group.value, action, corrections: count, correctedTotal: total, ...impact });
  }
  return suggestions.sort((a, b) => b.wouldChange - a.wouldChange || b.corrections - a.corrections || a.id.localeCompare(b.id));
}

async function impactOf(db: Db, kind: 'sender' | 'domain', value: string, action: Action): Promise<{ wouldChange: number; decided: number }> {
  const rows = await db
    .selectFrom('decisions as d')
    .innerJoin('messages as m', 'm.id', 'd.email_id')
    .select(['d.action', 'd.prefilter'])
    .where((eb) => (kind === 'sender' ? eb(eb.fn('lower', ['m.from_address']), '=', value) : eb(eb.fn('lower', ['m.from_address']), 'like', `%@${value}`)))
    .execute();
  const considered = rows.filter((r) => r.prefilter === null);
  return { decided: considered.length, wouldChange: considered.filter((r) => r.action !== action).length };
}

export class UnknownRuleError extends Error {
  override readonly name = 'UnknownRuleError';
}

/** Accepts a suggestion by its id; from then on the pipeline applies it (within 30 s). */
export async function acceptRule(db: Db, id: string, by: string, now: Date = new Date()): Promise<RuleSuggestion> {
  const suggestion = (await suggestRules(db)).find((s) => s.id === id);
  if (!suggestion) {
    const shape = /^(sender|domain):[^:]+:([a-z]+)$/.exec(id);
    const why = !shape || !ACTIONS.includes(shape[2] as Action) ? 'it is not of the form sender:ADDRESS:ACTION or domain:DOMAIN:ACTION' : 'it is not among the current suggestions';
    throw new UnknownRuleError(`no suggested rule ${id}: ${why}; \`mailroom rules suggest\` lists them`);
  }
  await db
    .insertInto('sender_rules')
    .values({ id: newId('rule', now), kind: suggestion.kind, value: suggestion.value, action: suggestion.action, accepted_by: by, created_at: now })
    .onConflict((oc) => oc.columns(['kind', 'value']).doNothing())
    .execute();
  return suggestion;
}
