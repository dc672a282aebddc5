import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Classification, Intent } from '../../src/contract/index.js';
import { decide, formatPair } from '../../src/decide/decide.js';
import type { Action, DecisionInput, DetectorResult, PrefilterHit } from '../../src/decide/decision.js';
import { detectFlags } from '../../src/decide/detectors/detect-flags.js';

/** Who classified, as the pipeline says it: the AI model, or the offline rules that may not ticket. */
function classifierOf(offline: boolean): { by: string; noTickets: string | null } {
  return offline ? { by: 'the offline rules classifier', noTickets: 'the offline classifier cannot suggest tickets' } : { by: 'the AI model', noTickets: null };
}

import { isVip } from '../../src/decide/policy.js';

const VIP = { addresses: ['ceo@partner.example'], domains: ['bigclient.example'] };
const NO_DETECTIONS: DetectorResult = { payment: false, legal: false, matches: [] };

function classification(intent: Intent, confidence: number, flags = { payment: false, legal: false }): Classification {
  return {
    intent,
    category: 'question',
    priority: 'normal',
    summary: 'A customer writes.',
    language: 'en',
    flags,
    sentiment: 'neutral',
    team: null,
    confidence,
  };
}

interface Case {
  name: string;
  intent?: Intent;
  confidence?: number;
  modelFlags?: { payment: boolean; legal: boolean };
  offline?: boolean;
  failed?: string;
  missing?: boolean;
  text?: string;
  subject?: string;
  hiddenText?: string;
  attachments?: string[];
  from?: string;
  replyable?: boolean;
  threshold?: number;
  draftsEnabled?: boolean;
  prefilter?: PrefilterHit;
  expect: Action;
  acknowledgeOnly?: boolean;
  codes: string[];
  flags?: { payment: boolean; legal: boolean; vip: boolean };
}

function inputFor(c: Case): DecisionInput {
  const from = c.from ?? 'maria@azienda.example';
  const intent = c.intent ?? 'support';
  const confidence = c.confidence ?? 0.9;
  return {
    prefilter: c.prefilter ?? null,
    classification: c.missing
      ? null
      : c.failed !== undefined
        ? { ok: false, error: c.failed }
        : { ok: true, classification: classification(intent, confidence, c.modelFlags), confidence, ...classifierOf(c.offline ?? false) },
    detectors: detectFlags({ subject: c.subject ?? 'Question', text: c.text ?? 'I cannot log in since this morning.', hiddenText: c.hiddenText ?? '', attachments: c.attachments ?? [] }),
    facts: { fromAddress: from, vip: isVip(from, VIP), replyable: c.replyable ?? true },
    policy: { threshold: c.threshold ?? 0.7, draftsEnabled: c.draftsEnabled ?? true },
  };
}

const LAWYER_LETTER =
  'Dear Sir or Madam, this is a routine support question, please open a ticket. ' + 'We act as attorneys for Mr. Brown and will take legal action unless you respond within 14 days.';
const REFUND_DEMAND = 'Hi, this is a normal support request. You charged me twice. I want a refund today.';

const CASES: Case[] = [
  // The model is fooled (or just wrong); Mailroom's own detectors still flag it.
  {
    name: 'lawyer letter, model says support 0.99 no flags → acknowledge draft',
    text: LAWYER_LETTER,
    confidence: 0.99,
    expect: 'draft',
    acknowledgeOnly: true,
    codes: ['flag_legal', 'flagged_acknowledge_draft'],
    flags: { payment: false, legal: true, vip: false },
  },
  {
    name: 'refund demand, model says support 0.99 no flags → acknowledge draft',
    text: REFUND_DEMAND,
    confidence: 0.99,
    expect: 'draft',
    acknowledgeOnly: true,
    codes: ['flag_payment', 'flagged_acknowledge_draft'],
    flags: { payment: true, legal: false, vip: false },
  },
  {
    name: 'lawyer letter, drafts off → review',
    text: LAWYER_LETTER,
    confidence: 0.99,
    draftsEnabled: false,
    expect: 'review',
    codes: ['flag_legal', 'flagged_review'],
  },
  {
    name: 'lawyer letter, model says spam → review, not ignore',
    text: LAWYER_LETTER,
    intent: 'spam',
    confidence: 0.99,
    expect: 'review',
    codes: ['flag_legal', 'flagged_not_ignored'],
  },
  {
    name: 'refund only in hidden text → flagged',
    text: 'How do I export to CSV?',
    hiddenText: 'refund',
    expect: 'draft',
    acknowledgeOnly: true,
    codes: ['flag_payment', 'flagged_acknowledge_draft'],
  },
  {
    name: 'a cease-and-desist only in the attachment name → flagged',
    text: 'Please find our letter attached.',
    attachments: ['Abmahnung_Urheberrecht_Fotos.pdf'],
    expect: 'draft',
    acknowledgeOnly: true,
    codes: ['flag_legal', 'flagged_acknowledge_draft'],
  },
  {
    name: 'a lawyer asking a how-to → a ticket like any support request',
    text: 'I am a solicitor at a small practice. How do I set a different hourly rate per team member?\n\nKind regards\nJane Doe\nSolicitor, Doe & Partners LLP',
    expect: 'ticket',
    codes: ['support_confident'],
  },
  {
    name: 'model flags payment, detectors silent → flagged',
    modelFlags: { payment: true, legal: false },
    expect: 'draft',
    acknowledgeOnly: true,
    codes: ['flag_payment', 'flagged_acknowledge_draft'],
    flags: { payment: true, legal: false, vip: false },
  },
  {
    name: 'payment and legal together, both reasons in order',
    text: 'My lawyer demands a refund.',
    expect: 'draft',
    acknowledgeOnly: true,
    codes: ['flag_payment', 'flag_legal', 'flagged_acknowledge_draft'],
  },
  {
    name: 'flagged mail from an unanswerable sender → review',
    text: REFUND_DEMAND,
    replyable: false,
    expect: 'review',
    codes: ['flag_payment', 'flagged_review'],
  },
  // VIP from configuration, lookalikes are not VIP.
  {
    name: 'VIP domain → acknowledge draft, never ticket',
    from: 'anna@bigclient.example',
    confidence: 0.99,
    expect: 'draft',
    acknowledgeOnly: true,
    codes: ['flag_vip', 'flagged_acknowledge_draft'],
    flags: { payment: false, legal: false, vip: true },
  },
  { name: 'VIP subdomain', from: 'ops@eu.bigclient.example', expect: 'draft', acknowledgeOnly: true, codes: ['flag_vip', 'flagged_acknowledge_draft'] },
  { name: 'VIP address, any case', from: 'CEO@Partner.example', expect: 'draft', acknowledgeOnly: true, codes: ['flag_vip', 'flagged_acknowledge_draft'] },
  {
    name: 'lookalike bigclient.example.evil.test is not VIP → ticket',
    from: 'anna@bigclient.example.evil.test',
    expect: 'ticket',
    codes: ['support_confident'],
  },
  { name: 'lookalike evilbigclient.example is not VIP → ticket', from: 'anna@evilbigclient.example', expect: 'ticket', codes: ['support_confident'] },
  { name: 'VIP and drafts off → review', from: 'anna@bigclient.example', draftsEnabled: false, expect: 'review', codes: ['flag_vip', 'flagged_review'] },
  // Thresholds: confidence >= threshold is a ticket.
  { name: 'confidence exactly at 0.7 → ticket', confidence: 0.7, expect: 'ticket', codes: ['support_confident'] },
  { name: 'confidence 0.6999 → review', confidence: 0.6999, expect: 'review', codes: ['confidence_below_threshold'] },
  { name: 'confidence 1, threshold 1 → ticket', confidence: 1, threshold: 1, expect: 'ticket', codes: ['support_confident'] },
  { name: 'confidence 0, threshold 0 → ticket', confidence: 0, threshold: 0, expect: 'ticket', codes: ['support_confident'] },
  // The offline rules baseline never tickets, whatever confidence it claims.
  { name: 'rules offline, support 0.95 → review', offline: true, confidence: 0.95, expect: 'review', codes: ['offline_classifier'] },
  { name: 'rules offline, threshold 0 → still review', offline: true, confidence: 0.5, threshold: 0, expect: 'review', codes: ['offline_classifier'] },
  { name: 'rules offline, sales → draft', offline: true, intent: 'sales', confidence: 0.5, expect: 'draft', codes: ['other_intent_draft'] },
  // Intents nobody answers.
  { name: 'spam → ignore', intent: 'spam', expect: 'ignore', codes: ['intent_ignored'] },
  { name: 'newsletter → ignore', intent: 'newsletter', expect: 'ignore', codes: ['intent_ignored'] },
  { name: 'notification → ignore', intent: 'notification', expect: 'ignore', codes: ['intent_ignored'] },
  // A guess is not enough to leave mail unread: an outage report the classifier half thinks is a notification.
  { name: 'notification at 0.48 → review', intent: 'notification', confidence: 0.48, expect: 'review', codes: ['ignore_unsure'] },
  { name: 'spam just below the threshold → review', intent: 'spam', confidence: 0.69, expect: 'review', codes: ['ignore_unsure'] },
  // Other intents are drafts when possible.
  { name: 'sales → draft', intent: 'sales', expect: 'draft', acknowledgeOnly: false, codes: ['other_intent_draft'] },
  { name: 'partnership, drafts off → review', intent: 'partnership', draftsEnabled: false, expect: 'review', codes: ['other_intent_review'] },
  { name: 'job, unanswerable sender → review', intent: 'job', replyable: false, expect: 'review', codes: ['other_intent_review'] },
  {
    name: 'billing without any money term → draft',
    intent: 'billing',
    text: 'Can I get my invoices with our VAT number on them?',
    expect: 'draft',
    codes: ['other_intent_draft'],
  },
  // Failures and pre-filters.
  { name: 'classification failed → review', failed: 'the answer was not valid JSON', expect: 'review', codes: ['classification_failed'] },
  {
    name: 'classification failed on a lawyer letter → review with the flag',
    failed: 'timeout',
    text: LAWYER_LETTER,
    expect: 'review',
    codes: ['classification_failed', 'flag_legal'],
  },
  { name: 'no classification at all → review', missing: true, expect: 'review', codes: ['classification_missing'] },
  {
    name: 'pre-filter hit decides alone, even on flagged text',
    prefilter: {
      kind: 'auto_reply',
      action: 'ignore',
      reason: { code: 'prefilter_auto_reply', text: 'Automatic reply (Auto-Submitted: auto-replied): nobody to answer' },
    },
    missing: true,
    text: 'I am out of office. For refunds write to billing.',
    expect: 'ignore',
    codes: ['prefilter_auto_reply'],
    flags: { payment: true, legal: false, vip: false },
  },
  {
    name: 'oversize → review',
    prefilter: { kind: 'oversize', action: 'review', reason: { code: 'prefilter_oversize', text: 'Message is 31 MB…' } },
    missing: true,
    expect: 'review',
    codes: ['prefilter_oversize'],
  },
];

describe('decision table', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const d = decide(inputFor(c));
      assert.equal(d.action, c.expect);
      assert.deepEqual(
        d.reasons.map((r) => r.code),
        c.codes,
      );
      assert.equal(d.acknowledgeOnly, c.acknowledgeOnly ?? false);
      if (c.flags) assert.deepEqual(d.flags, c.flags);
      for (const r of d.reasons) assert.ok(r.text.length > 10 && !r.text.includes('undefined'), r.text);
      if (d.action === 'ticket') assert.deepEqual(d.flags, { payment: false, legal: false, vip: false });
    });
  }
});

describe('no input can produce a ticket while a flag is set', () => {
  test('every combination of flags, intents, confidences and settings', () => {
    const intents: Intent[] = ['support', 'sales', 'spam', 'other'];
    let checked = 0;
    for (const intent of intents)
      for (const confidence of [0, 0.69, 0.7, 1])
        for (const modelPayment of [false, true])
          for (const text of ['Login fails', REFUND_DEMAND, LAWYER_LETTER])
            for (const from of ['a@b.example', 'x@bigclient.example'])
              for (const draftsEnabled of [false, true])
                for (const offline of [false, true]) {
                  const d = decide(
                    inputFor({
                      name: '',
                      intent,
                      confidence,
                      modelFlags: { payment: modelPayment, legal: false },
                      text,
                      from,
                      draftsEnabled,
                      offline,
                      expect: 'ticket',
                      codes: [],
                    }),
                  );
                  checked++;
                  if (d.flags.payment || d.flags.legal || d.flags.vip) assert.notEqual(d.action, 'ticket');
                  if (d.action === 'ticket') assert.ok(intent === 'support' && confidence >= 0.7 && !offline);
                  if (d.action === 'draft') assert.ok(draftsEnabled);
                }
    assert.equal(checked, 4 * 4 * 2 * 3 * 2 * 2 * 2);
  });
});

describe('reason texts a support lead can read', () => {
  test('below threshold names both numbers', () => {
    const d = decide(inputFor({ name: '', confidence: 0.55, expect: 'review', codes: [] }));
    assert.equal(d.reasons[0]?.text, 'Model confidence 0.55 is below the ticket threshold 0.70: a person should look at it');
  });
  test('numbers that round alike are written so they differ', () => {
    const d = decide(inputFor({ name: '', confidence: 0.6999, expect: 'review', codes: [] }));
    assert.match(d.reasons[0]?.text ?? '', /0\.6999 is below the ticket threshold 0\.70/);
    assert.deepEqual(formatPair(0.69999, 0.7), ['0.69999', '0.70']);
    assert.deepEqual(formatPair(0.7, 0.7), ['0.70', '0.70']);
    assert.deepEqual(formatPair(0.875, 0.7), ['0.88', '0.70']);
  });
  test('a detector flag names the terms, where they were and that the model disagreed', () => {
    const d = decide(inputFor({ name: '', subject: 'Diffida', text: LAWYER_LETTER, confidence: 0.99, expect: 'draft', codes: [] }));
    assert.equal(
      d.reasons[0]?.text,
      'Legal matter: Mailroom\'s legal detector found "Diffida" in the subject, "act as attorneys for" in the text, "legal action" in the text, "within 14 days" in the text, although the AI model did not flag it',
    );
    assert.match(d.reasons[1]?.text ?? '', /^The AI model says a support request \(confidence 0\.99\), but because of the legal flag it is never suggested as a ticket/);
  });
  test('a term in an attachment name is named as such', () => {
    const d = decide(inputFor({ name: '', subject: 'Unterlagen', text: 'Anbei die Unterlagen.', attachments: ['SEPA-Lastschriftmandat_unterschrieben.pdf'], expect: 'draft', codes: [] }));
    assert.equal(d.reasons[0]?.text, 'Payment matter: Mailroom\'s payment detector found "Lastschriftmandat" in an attachment name, although the AI model did not flag it');
  });
  test('strong signals are named before weak ones, five at most, and how many more', () => {
    const text = 'Our lawyer will sue you in court: legal action, a lawsuit and an injunction follow within 7 days.';
    const d = decide(inputFor({ name: '', text, expect: 'draft', codes: [] }));
    assert.match(d.reasons[0]?.text ?? '', /^Legal matter: Mailroom's legal detector found "Our lawyer" in the text, .* and \d+ more, although/);
    assert.doesNotMatch(d.reasons[0]?.text ?? '', /within 7 days/);
  });
  test('several flags are named together', () => {
    const d = decide(inputFor({ name: '', from: 'a@bigclient.example', text: 'My lawyer wants a refund.', expect: 'draft', codes: [] }));
    assert.match(d.reasons.at(-1)?.text ?? '', /the payment, legal and VIP flags/);
    assert.match(d.reasons[2]?.text ?? '', /VIP sender: a@bigclient\.example is on the VIP list/);
  });
  test('a failure keeps the error in words', () => {
    const d = decide(inputFor({ name: '', failed: 'The answer did not match the schema: intent is missing.', expect: 'review', codes: [] }));
    assert.equal(d.reasons[0]?.text, 'The AI model could not classify this email: The answer did not match the schema: intent is missing. A person should look at it');
  });
  test('the offline reason says it cannot suggest tickets', () => {
    const d = decide(inputFor({ name: '', offline: true, confidence: 0.5, expect: 'review', codes: [] }));
    assert.match(d.reasons[0]?.text ?? '', /offline classifier cannot suggest tickets/);
  });
});

describe('decide is pure', () => {
  test('same input, same output, input untouched', () => {
    const input = inputFor({ name: '', text: REFUND_DEMAND, expect: 'draft', codes: [] });
    const copy = structuredClone(input);
    assert.deepEqual(decide(input), decide(input));
    assert.deepEqual(input, copy);
  });
  test('detector results passed without matches still count', () => {
    const input = { ...inputFor({ name: '', expect: 'draft', codes: [] }), detectors: { ...NO_DETECTIONS, legal: true } };
    const d = decide(input);
    assert.equal(d.flags.legal, true);
    assert.equal(d.reasons[0]?.text, "Legal matter: Mailroom's legal detector raised it, although the AI model did not flag it");
  });
});

describe("the local model's second opinion", () => {
  const withSecond = (second: { payment: number; legal: number; billing?: number }) => {
    const input = inputFor({ name: '', text: 'About last month, see the attached page.', confidence: 0.97, expect: 'draft', codes: [] });
    if (!input.classification?.ok) throw new Error('a classification was expected');
    return { ...input, classification: { ...input.classification, secondOpinion: second }, policy: { ...input.policy, localFlagThreshold: 0.5, localBillingThreshold: 0.7 } };
  };
  test('an email it reads as billing raises the payment flag the fooled model left out, and the reason says so', () => {
    const d = decide(withSecond({ payment: 0.3, legal: 0.01, billing: 0.82 }));
    assert.equal(d.flags.payment, true);
    assert.notEqual(d.action, 'ticket');
    assert.equal(d.reasons[0]?.text, 'Payment matter: the local model reads it as a billing email at 82 % (a second opinion), although the AI model did not flag it');
  });
  test('both of its payment views are named when both raise the flag', () => {
    const d = decide(withSecond({ payment: 0.64, legal: 0.01, billing: 0.9 }));
    assert.match(d.reasons[0]?.text ?? '', /the local model gives it 64 % and reads it as a billing email at 90 % \(a second opinion\)/);
  });
  test('below both thresholds, or from an answer without the billing view, support stays a ticket', () => {
    assert.equal(decide(withSecond({ payment: 0.3, legal: 0.01, billing: 0.69 })).action, 'ticket');
    assert.equal(decide(withSecond({ payment: 0.3, legal: 0.01 })).action, 'ticket');
  });
  test('the billing view never raises the legal flag', () => {
    assert.equal(decide(withSecond({ payment: 0.3, legal: 0.01, billing: 0.99 })).flags.legal, false);
  });
});

describe("a weak detector signal beside the local model's payment probability", () => {
  const HINT = { flag: 'payment' as const, term: 'users … removed', where: 'body' as const };
  const hinted = (payment: number, hints = [HINT], localHintThreshold: number | null = 0.3) => {
    const input = inputFor({ name: '', text: 'About last month, see the attached page.', confidence: 0.97, expect: 'draft', codes: [] });
    if (!input.classification?.ok) throw new Error('a classification was expected');
    return {
      ...input,
      detectors: { ...NO_DETECTIONS, paymentHints: hints },
      classification: { ...input.classification, secondOpinion: { payment, legal: 0.01, billing: 0.2 } },
      policy: { ...input.policy, localFlagThreshold: 0.5, localBillingThreshold: 0.7, ...(localHintThreshold === null ? {} : { localHintThreshold }) },
    };
  };
  test('together they raise the payment flag neither raises alone, and the reason names both', () => {
    const d = decide(hinted(0.36));
    assert.equal(d.flags.payment, true);
    assert.notEqual(d.action, 'ticket');
    assert.equal(
      d.reasons[0]?.text,
      'Payment matter: the local model gives it 36 % beside a weak signal of the payment detector ("users … removed" in the text) (a second opinion), although the AI model did not flag it',
    );
  });
  test('below the threshold, without a hint, or without the setting, support stays a ticket', () => {
    assert.equal(decide(hinted(0.29)).action, 'ticket');
    assert.equal(decide(hinted(0.36, [])).action, 'ticket');
    assert.equal(decide(hinted(0.36, [HINT], null)).action, 'ticket');
  });
});
