import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Classification, Intent } from '../../src/contract/index.js';
import { decide } from '../../src/decide/decide.js';
import { detectFlags } from '../../src/decide/detectors/detect-flags.js';
import { isVip } from '../../src/decide/policy.js';
import { parseEmail } from '../../src/parse/parse-email.js';
import { isReplyableSender, runPrefilters } from '../../src/prefilter/index.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const OWN = ['support@mailroom.example'];
const VIP = { addresses: [], domains: ['bigclient.example'] };

interface Expected {
  prefilter: string | null;
  flags: { payment: boolean; legal: boolean };
  action_with_model: string;
  notes: string;
}
const expected = JSON.parse(readFileSync(join(EXAMPLES, 'expected.json'), 'utf8')) as Record<string, Expected>;
const files = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.eml'))
  .sort();

/** What a correct model says about each message that reaches the model. */
const MODEL_INTENT: Record<string, Intent> = {
  '01-support-login-it.eml': 'support',
  '02-support-outage-en.eml': 'support',
  '03-support-bug-de.eml': 'support',
  '04-support-howto-fr.eml': 'support',
  '05-sales-question-en.eml': 'sales',
  '06-partnership-it.eml': 'partnership',
  '07-billing-refund-en.eml': 'billing',
  '08-billing-overdue-es.eml': 'billing',
  // What the injected text asks for; the detectors must make it irrelevant.
  '09-legal-injection-en.eml': 'support',
  '10-gdpr-erasure-fr.eml': 'other',
  '11-vip-support-en.eml': 'support',
  '12-vip-lookalike-en.eml': 'support',
  '13-html-hidden-refund-en.eml': 'support',
  '14-reply-quoted-es.eml': 'support',
  '15-contact-form-reply-to-de.eml': 'support',
  '16-spam-en.eml': 'spam',
  '17-phishing-refund-en.eml': 'spam',
};

function classification(intent: Intent): Classification {
  return {
    intent,
    category: 'other',
    priority: 'normal',
    summary: 'x',
    language: 'en',
    flags: { payment: false, legal: false },
    sentiment: 'neutral',
    team: null,
    confidence: 0.95,
  };
}

describe('examples/ against examples/expected.json', () => {
  test('every file is listed, every listed file exists, 18 to 24 of them', () => {
    assert.deepEqual(Object.keys(expected).sort(), files);
    assert.ok(files.length >= 18 && files.length <= 24);
  });
  test('every pre-filter and every action is covered', () => {
    const prefilters = new Set(Object.values(expected).map((e) => e.prefilter));
    for (const kind of ['auto_reply', 'bounce', 'bulk', 'no_reply', 'own_address', null]) assert.ok(prefilters.has(kind), String(kind));
    const actions = new Set(Object.values(expected).map((e) => e.action_with_model));
    for (const action of ['ticket', 'draft', 'review', 'ignore']) assert.ok(actions.has(action), action);
  });

  for (const file of files) {
    test(file, async () => {
      const raw = readFileSync(join(EXAMPLES, file));
      const want = expected[file];
      assert.ok(want);
      const email = await parseEmail(raw);
      assert.ok(email.messageId, 'has a Message-ID');
      assert.ok(email.from?.address, 'has a From');
      const hit = runPrefilters(email, { ownAddresses: OWN, sizeBytes: raw.length, maxMessageBytes: 25 * 1024 * 1024 });
      assert.equal(hit?.kind ?? null, want.prefilter, hit?.reason.text);
      const detectors = detectFlags({ subject: email.subject, text: email.newestText, hiddenText: email.hiddenText });
      assert.deepEqual({ payment: detectors.payment, legal: detectors.legal }, want.flags, JSON.stringify(detectors.matches));

      const intent = MODEL_INTENT[file];
      assert.equal(intent === undefined, hit !== null, 'a model intent for exactly the files that reach the model');
      const decision = decide({
        prefilter: hit,
        classification: intent ? { ok: true, classification: classification(intent), confidence: 0.95, by: 'the AI model', noTickets: null } : null,
        detectors,
        facts: { fromAddress: email.from?.address ?? null, vip: isVip(email.from?.address ?? null, VIP), replyable: isReplyableSender(email, OWN) },
        policy: { threshold: 0.7, draftsEnabled: true },
      });
      assert.equal(decision.action, want.action_with_model, decision.reasons.map((r) => r.text).join(' | '));
    });
  }

  test('the oversize pre-filter on an example with a small limit', async () => {
    const raw = readFileSync(join(EXAMPLES, '02-support-outage-en.eml'));
    const hit = runPrefilters(await parseEmail(raw), { ownAddresses: OWN, sizeBytes: raw.length, maxMessageBytes: 500 });
    assert.equal(hit?.kind, 'oversize');
    assert.equal(hit?.action, 'review');
  });
});
