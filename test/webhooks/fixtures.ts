/** Shared pieces of the webhook tests (not a test file: run-tests only picks *.test.ts). */
import { type Config, configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { createSecretBox } from '../../src/db/secret-box.js';
import type { ParsedEmail } from '../../src/parse/parsed-email.js';
import type { Clock } from '../../src/util/clock.js';
import type { TicketEventInput } from '../../src/webhooks/ticket-event.js';
import { enqueueTicketEvent } from '../../src/webhooks/ticket-event.js';

export const TEST_SECRET_KEY = 'test-only-webhook-secret-key-0123456789abcdef';
export const secretBox = createSecretBox(TEST_SECRET_KEY, 'test');

/** Receivers in tests live on 127.0.0.1 over http, so both guards are opened unless a test says otherwise. */
export function testConfig(webhooks: Record<string, unknown> = {}): Config {
  return configSchema.parse({
    webhooks: { allow_http: true, allow_private_networks: true, secret_key: TEST_SECRET_KEY, timeout: '2s', poll_interval: '50ms', ...webhooks },
  });
}

export class ManualClock implements Clock {
  #now: number;
  constructor(start: Date | number = Date.now()) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  advance(ms: number): void {
    this.#now += ms;
  }
  set(date: Date): void {
    this.#now = date.getTime();
  }
}

export function parsedEmail(overrides: Partial<ParsedEmail> = {}): ParsedEmail {
  return {
    messageId: '<CAF123@mail.gmail.com>',
    inReplyTo: null,
    references: [],
    from: { address: 'cliente@azienda.com', name: 'Maria Rossi' },
    replyTo: null,
    to: [{ address: 'support@example.com', name: '' }],
    cc: [],
    subject: 'Non funziona il login',
    date: new Date('2026-11-23T09:13:50Z'),
    headers: {},
    contentType: 'text/plain',
    reportType: null,
    attachments: [{ filename: 'screenshot.png', content_type: 'image/png', size: 48213 }],
    fullText: 'Buongiorno, non riesco ad accedere.\n\n> old quote',
    hiddenText: '',
    newestText: 'Buongiorno, non riesco ad accedere.',
    cleanText: 'Buongiorno, non riesco ad accedere.',
    rawChars: 60,
    cleanChars: 35,
    truncated: false,
    ...overrides,
  };
}

let counter = 0;
/** A distinct email id per call: em_ + a ULID-shaped string. */
export function nextEmailId(): string {
  counter++;
  return `em_01TEST${process.pid.toString(36).toUpperCase().padStart(6, '0')}${counter.toString().padStart(12, '0')}`;
}

export function ticketInput(overrides: Partial<TicketEventInput> = {}): TicketEventInput {
  return {
    emailId: nextEmailId(),
    threadId: 'th_01THREAD',
    mailbox: 'support',
    receivedAt: new Date('2026-11-23T09:13:58Z'),
    email: parsedEmail(),
    classification: {
      intent: 'support',
      category: 'account',
      priority: 'high',
      summary: 'Problema di accesso segnalato dal cliente',
      language: 'it',
      flags: { payment: false, legal: false },
      sentiment: 'negative',
      team: 'backend',
      confidence: 0.88,
    },
    model: 'gpt-4o-mini',
    promptVersion: 'p-test',
    rawEmailUrl: null,
    ...overrides,
  };
}

/** Enqueues `count` events, each in its own decision-like transaction. Returns the webhook-ids. */
export async function enqueueEvents(db: Db, count: number, now: Date = new Date()): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { eventId } = await db.transaction().execute((trx) => enqueueTicketEvent(trx, ticketInput(), now));
    ids.push(eventId);
  }
  return ids;
}

/** Enqueues many events in one transaction (faster for the volume tests). */
export async function enqueueEventsBulk(db: Db, count: number, now: Date = new Date()): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) ids.push((await enqueueTicketEvent(trx, ticketInput(), now)).eventId);
    return ids;
  });
}
