/**
 * The fake model of the chaos run: classifies by the `kind=` word each chaos message carries, and
 * answers reply-draft requests with a short reply.
 */
import { type ChatRequestBody, emailTextOf } from '../test/support/fake-openai-server.js';

function classification(intent: string, confidence: number, payment = false): Record<string, unknown> {
  return {
    intent,
    category: intent === 'support' ? 'account' : 'other',
    priority: 'normal',
    summary: `The sender writes about ${intent}`,
    language: 'en',
    flags: { payment, legal: false },
    sentiment: 'neutral',
    team: null,
    confidence,
  };
}

export function chaosResponder(body: ChatRequestBody): Record<string, unknown> | string {
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  if (system.startsWith('You write reply drafts')) return 'Hello,\n\nthank you for your message; here is what we can do.\n\nThe Example team';
  const text = emailTextOf(body);
  if (text.includes('kind=ticket')) return classification('support', 0.92);
  if (text.includes('kind=draft')) return classification('sales', 0.88);
  if (text.includes('kind=refund')) return classification('billing', 0.9, true);
  if (text.includes('kind=newsletter')) return classification('newsletter', 0.9);
  return classification('other', 0.5);
}
