import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { acceptRule, recordCorrection, suggestRules, UnknownRuleError } from '../../src/corrections/index.js';
import { applySenderRules, type Decision } from '../../src/decide/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { correctionContext, decidedEmail } from './fixtures.js';

const decision = (action: Decision['action'], flags: Partial<Decision['flags']> = {}): Decision => ({
  action,
  reasons: [{ code: 'x', text: 'x' }],
  flags: { payment: false, legal: false, vip: false, ...flags },
  acknowledgeOnly: false,
});

test('an accepted rule changes the action with a reason, never makes a ticket of flagged mail, never touches pre-filtered mail', () => {
  const rules = [
    { kind: 'domain' as const, value: 'promo.example', action: 'ignore' as const },
    { kind: 'sender' as const, value: 'ceo@client.example', action: 'ticket' as const },
  ];
  const ignored = applySenderRules(decision('draft'), 'News@Mail.Promo.example', false, rules);
  assert.equal(ignored.action, 'ignore');
  assert.equal(ignored.reasons.at(-1)?.code, 'sender_rule');
  assert.equal(applySenderRules(decision('review', { payment: true }), 'ceo@client.example', false, rules).action, 'review');
  assert.equal(applySenderRules(decision('review'), 'ceo@client.example', false, rules).action, 'ticket');
  assert.equal(applySenderRules(decision('ignore'), 'news@promo.example', true, rules).reasons.length, 1, 'pre-filtered mail is left as it was');
  assert.equal(applySenderRules(decision('draft'), 'someone@else.example', false, rules).action, 'draft');
});

describeEachDatabase('rules suggested by repeated corrections', (getDb) => {
  beforeEach(() => truncateAll(getDb()));

  test('three corrections of one sender to one action suggest a rule with how many emails it would have changed; accepting stores it', async () => {
    const db = getDb();
    const ctx = correctionContext(db);
    const from = 'Offerte <offerte@shop.example>';
    const emails = [];
    for (let i = 0; i < 4; i++) emails.push(await decidedEmail(db, { action: i === 3 ? 'ignore' : 'draft', from, subject: `Offerta ${i}`, body: `Sconti ${i}` }));
    const other = await decidedEmail(db, { action: 'draft', from: 'anna@gmail.com', subject: 'Ciao', body: 'Ciao' });
    for (const id of emails.slice(0, 3)) await recordCorrection(ctx, { emailId: id, action: 'ignore', by: 'anna', via: 'cli' });
    await recordCorrection(ctx, { emailId: other, action: 'ignore', by: 'anna', via: 'cli' });
    const suggestions = await suggestRules(db);
    assert.deepEqual(
      suggestions.map((s) => [s.id, s.corrections, s.wouldChange, s.decided]),
      [['sender:offerte@shop.example:ignore', 3, 3, 4]],
      'one sender, three agreeing corrections; 3 of its 4 decided emails would have been ignored; a single correction suggests nothing',
    );
    await assert.rejects(acceptRule(db, 'sender:nobody@x.example:ignore', 'anna'), UnknownRuleError);
    await acceptRule(db, 'sender:offerte@shop.example:ignore', 'anna');
    const stored = await db.selectFrom('sender_rules').selectAll().execute();
    assert.deepEqual(
      stored.map((r) => [r.kind, r.value, r.action, r.accepted_by]),
      [['sender', 'offerte@shop.example', 'ignore', 'anna']],
    );
    assert.deepEqual(await suggestRules(db), [], 'an accepted rule is not suggested again');
  });
});
