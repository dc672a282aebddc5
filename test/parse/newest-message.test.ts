import assert from 'node:assert/strict';
import { test } from 'node:test';
import { extractNewestMessage, isForwardSubject } from '../../src/parse/newest-message.js';

test('quotes and signature both go', () => {
  const text = 'The invoice is wrong.\n\nSent from my iPhone\n\nOn Mon, Mar 4, 2024 Bob <b@x.test> wrote:\n> Here is the invoice';
  assert.equal(extractNewestMessage(text), 'The invoice is wrong.');
});

test('a message that is all quote keeps its text instead of becoming empty', () => {
  const text = '> forwarded line one\n> forwarded line two';
  assert.equal(extractNewestMessage(text), text);
});

test('a message that starts with an Outlook header block keeps its text', () => {
  const text = 'From: Customer <c@x.test>\nSent: Monday\nTo: support@x.test\nSubject: Help\n\nMy account is locked.';
  assert.equal(extractNewestMessage(text), text);
});

test('a forward keeps the forwarded message, by subject or by separator', () => {
  const text = 'Can you handle this?\n\n---------- Forwarded message ---------\nFrom: Client <c@x.test>\nDate: Mon, 4 Mar 2024\nSubject: Refund\nTo: me@x.test\n\nI want a refund.';
  assert.equal(extractNewestMessage(text), text);
  const outlookForward = 'FYI\n\nFrom: Client <c@x.test>\nSent: Monday\nTo: me@x.test\nSubject: Refund\n\nI want a refund.';
  assert.equal(extractNewestMessage(outlookForward, { subject: 'FW: Refund' }), outlookForward);
  assert.equal(extractNewestMessage(outlookForward, { subject: 'RE: Refund' }), 'FYI');
});

test('forward subjects in the five languages, replies to forwards are replies', () => {
  for (const subject of ['Fwd: x', 'FW: x', 'WG: x', 'TR: x', 'RV: x', 'I: x', 'Inoltro: x', '[EXT] Fwd: x']) {
    assert.equal(isForwardSubject(subject), true, subject);
  }
  for (const subject of ['Re: Fwd: x', 'AW: x', 'Invoice', 'Information: x']) {
    assert.equal(isForwardSubject(subject), false, subject);
  }
});

test('empty text stays empty', () => {
  assert.equal(extractNewestMessage('  \n '), '');
});
