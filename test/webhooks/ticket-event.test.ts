import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildTicketSuggestedEvent, ticketEventId } from '../../src/webhooks/ticket-event.js';
import { parsedEmail, ticketInput } from './fixtures.js';

test('the event body has the DESIGN.md shape', () => {
  const input = ticketInput({ emailId: 'em_01J0000000000000000000000A', email: parsedEmail({ newestText: 'only the newest' }) });
  const { id, body } = buildTicketSuggestedEvent(input, new Date('2026-11-23T09:14:03.120Z'));
  assert.equal(id, 'msg_01J0000000000000000000000A');
  assert.deepEqual(body, {
    type: 'ticket.suggested',
    timestamp: '2026-11-23T09:14:03.120Z',
    data: {
      email_id: 'em_01J0000000000000000000000A',
      thread_id: 'th_01THREAD',
      message_id: '<CAF123@mail.gmail.com>',
      mailbox: 'support',
      from: 'cliente@azienda.com',
      from_name: 'Maria Rossi',
      subject: 'Non funziona il login',
      summary: 'Problema di accesso segnalato dal cliente',
      body_text: 'only the newest',
      priority: 'high',
      category: 'account',
      intent: 'support',
      language: 'it',
      team: 'backend',
      confidence: 0.88,
      received_at: '2026-11-23T09:13:58.000Z',
      attachments: [{ filename: 'screenshot.png', content_type: 'image/png', size: 48213 }],
      classifier: { model: 'gpt-4o-mini', prompt_version: 'p-test' },
    },
  });
  assert.ok(!('raw_email_url' in body.data), 'omitted when null');
});

test('raw_email_url is present when given; the id depends on the email only', () => {
  const input = ticketInput({ rawEmailUrl: 'https://mailroom.example.com/v1/emails/em_1/raw?token=t' });
  const a = buildTicketSuggestedEvent(input, new Date(0));
  const b = buildTicketSuggestedEvent({ ...input, classification: { ...input.classification, priority: 'low' } }, new Date(1e12));
  assert.equal(a.body.data.raw_email_url, 'https://mailroom.example.com/v1/emails/em_1/raw?token=t');
  assert.equal(a.id, b.id);
  assert.equal(ticketEventId('em_01XYZ'), 'msg_01XYZ');
});
