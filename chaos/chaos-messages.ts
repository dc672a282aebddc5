/**
 * The chaos run's mail: well-formed messages whose body names what the fake model should make of
 * them, so most end as `ticket` or `draft` and both outboxes are exercised. Each is unique (no two
 * share a classification cache entry) and carries its own Message-ID for the checks.
 */
import type { Random } from '../bench/support/prng.js';

export type ChaosKind = 'ticket' | 'draft' | 'refund' | 'newsletter' | 'auto-reply';

export interface ChaosMessage {
  index: number;
  kind: ChaosKind;
  messageId: string;
  raw: string;
}

/** Cumulative shares: 65 % ticket, 20 % draft, 5 % each for refund (acknowledge-only draft), newsletter and auto-reply. */
const MIX: Array<[number, ChaosKind]> = [
  [0.65, 'ticket'],
  [0.85, 'draft'],
  [0.9, 'refund'],
  [0.95, 'newsletter'],
  [1, 'auto-reply'],
];

const TEXT: Record<ChaosKind, (i: number) => { subject: string; body: string }> = {
  ticket: (i) => ({ subject: `Login error ${i}`, body: `Hello, since this morning the login shows error ${i}. kind=ticket. Can you help?` }),
  draft: (i) => ({ subject: `Question about plans (${i})`, body: `Hi, which plan includes ${i} seats? kind=draft. Thank you.` }),
  refund: (i) => ({ subject: `Refund for order ${i}`, body: `Please refund order ${i}, it was charged twice. kind=refund.` }),
  newsletter: (i) => ({ subject: `Our monthly news ${i}`, body: `This month at Example Co: item ${i}. kind=newsletter.` }),
  'auto-reply': (i) => ({ subject: `Out of office: ${i}`, body: `I am away until Monday (${i}). kind=auto-reply.` }),
};

export function chaosMessages(count: number, random: Random, runTag: string): ChaosMessage[] {
  return Array.from({ length: count }, (_, index) => {
    const x = random.next();
    const kind = MIX.find(([share]) => x < share)![1];
    const messageId = `<chaos.${index}.${runTag}@chaos.mailroom>`;
    const { subject, body } = TEXT[kind](index);
    const raw = [
      `From: Customer ${index} <customer${index}@example.org>`,
      'To: support@example.com',
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      `Date: ${new Date().toUTCString()}`,
      ...(kind === 'auto-reply' ? ['Auto-Submitted: auto-replied'] : []),
      ...(kind === 'newsletter' ? ['List-Unsubscribe: <mailto:leave@example.org>', 'Precedence: bulk'] : []),
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n');
    return { index, kind, messageId, raw };
  });
}
