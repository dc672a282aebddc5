import { z } from 'zod';

/** The classification contract (docs/design.md, Public contracts). Both classifiers return exactly this. */
export const INTENTS = ['support', 'sales', 'billing', 'partnership', 'job', 'newsletter', 'notification', 'spam', 'personal', 'other'] as const;
export const CATEGORIES = ['bug', 'question', 'how_to', 'feature_request', 'account', 'outage', 'other'] as const;
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const SENTIMENTS = ['negative', 'neutral', 'positive'] as const;

/** Kinds of personal data (the event's `pii.kinds`, `classifier.redact`, `policy.review_when_pii`, eval labels). */
export const PII_KINDS = ['email', 'phone', 'iban', 'card', 'national_id', 'tax_id', 'dob', 'address', 'name'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export type Intent = (typeof INTENTS)[number];
export type Category = (typeof CATEGORIES)[number];
export type Priority = (typeof PRIORITIES)[number];
export type Sentiment = (typeof SENTIMENTS)[number];

export interface Classification {
  intent: Intent;
  category: Category;
  priority: Priority;
  summary: string;
  /** ISO 639-1, lower-case. */
  language: string;
  flags: { payment: boolean; legal: boolean };
  sentiment: Sentiment;
  /** One of the configured team names, or null when no teams are configured or none fits. */
  team: string | null;
  confidence: number;
}

/** Builds the zod schema; `team` is an enum when teams are configured. */
export function classificationSchema(teams: readonly string[] = []) {
  const team = teams.length > 0 ? z.enum(teams as [string, ...string[]]).nullable() : z.null();
  return z
    .object({
      intent: z.enum(INTENTS).describe('What the sender wants overall'),
      category: z.enum(CATEGORIES).describe('Kind of request, for support mail'),
      priority: z.enum(PRIORITIES).describe('How urgently a person should look at it'),
      summary: z.string().min(1).max(500).describe('One sentence, in the language of the email'),
      language: z
        .string()
        .regex(/^[a-z]{2}$/)
        .describe('ISO 639-1 code of the email language'),
      flags: z
        .object({
          payment: z.boolean().describe('Money is at stake: refunds, chargebacks, overdue invoices, payment disputes'),
          legal: z.boolean().describe('Legal matters: lawyers, courts, GDPR requests, threats of legal action'),
        })
        .strict(),
      sentiment: z.enum(SENTIMENTS),
      team: team.describe('The configured team that should handle it, or null'),
      confidence: z.number().min(0).max(1).describe('How sure you are of the intent, 0..1'),
    })
    .strict();
}
