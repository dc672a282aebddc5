/**
 * JSON Schema fragments shared by the routes. They validate input, drive fastify's response
 * serialization (a property missing from a response schema is never sent, so nothing leaks by
 * accident) and become the OpenAPI document.
 */
import { ACTIONS, CATEGORIES, INTENTS, PRIORITIES, SENTIMENTS } from '../contract/index.js';

export const dateTime = { type: 'string', format: 'date-time' } as const;
export const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;
export const nullableString = { type: ['string', 'null'] } as const;
export const nullableInteger = { type: ['integer', 'null'] } as const;
export const nullableNumber = { type: ['number', 'null'] } as const;

export const errorSchema = {
  type: 'object',
  description: 'What went wrong and what to do about it.',
  properties: { statusCode: { type: 'integer' }, error: { type: 'string' }, message: { type: 'string' }, code: { type: 'string' } },
  required: ['statusCode', 'error', 'message'],
} as const;

export const reasonSchema = {
  type: 'object',
  properties: { code: { type: 'string' }, text: { type: 'string' } },
  required: ['code', 'text'],
} as const;

export const flagsSchema = {
  type: 'object',
  properties: { payment: { type: 'boolean' }, legal: { type: 'boolean' }, vip: { type: 'boolean' } },
  required: ['payment', 'legal', 'vip'],
} as const;

export const classificationOutputSchema = {
  type: ['object', 'null'],
  description: 'The validated classification (docs/design.md, Public contracts); null when classification failed.',
  properties: {
    intent: { type: 'string', enum: [...INTENTS] },
    category: { type: 'string', enum: [...CATEGORIES] },
    priority: { type: 'string', enum: [...PRIORITIES] },
    summary: { type: 'string' },
    language: { type: 'string' },
    flags: { type: 'object', properties: { payment: { type: 'boolean' }, legal: { type: 'boolean' } } },
    sentiment: { type: 'string', enum: [...SENTIMENTS] },
    team: nullableString,
    confidence: { type: 'number' },
  },
} as const;

export const actionSchema = { type: 'string', enum: [...ACTIONS] } as const;

/** The correction that stands beside a decision (the decision itself is never changed). */
export const correctionBesideSchema = {
  type: ['object', 'null'],
  description: "The latest person's correction of this decision; null when nobody corrected it. GET /v1/corrections has them all.",
  properties: {
    action: actionSchema,
    corrected_by: { type: 'string' },
    corrected_at: dateTime,
    via: { type: 'string', enum: ['cli', 'api', 'imap_keyword', 'imap_folder'] },
    note: nullableString,
    corrections: { type: 'integer', description: 'How many corrections this email has had.' },
  },
} as const;

/** One correction (GET /v1/corrections, POST /v1/emails/{id}/corrections). */
export const correctionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    email_id: { type: 'string' },
    mailbox: { type: 'string' },
    from: nullableString,
    subject: nullableString,
    decided_action: { ...actionSchema, description: 'What Mailroom decided (unchanged in the audit log).' },
    from_action: { ...actionSchema, description: 'What stood before this correction.' },
    to_action: { ...actionSchema, description: 'What the person said; the latest correction stands.' },
    intent: nullableString,
    flags: { type: 'object', properties: { payment: { type: ['boolean', 'null'] }, legal: { type: ['boolean', 'null'] } } },
    note: nullableString,
    corrected_by: { type: 'string', description: "The API token's name, the OS user of the CLI, or the IMAP user." },
    via: { type: 'string', enum: ['cli', 'api', 'imap_keyword', 'imap_folder'] },
    corrected_at: dateTime,
  },
  required: ['id', 'email_id', 'from_action', 'to_action', 'corrected_by', 'via', 'corrected_at'],
} as const;

export const idParams = (name: string, description: string) =>
  ({
    type: 'object',
    properties: { id: { type: 'string', minLength: 1, maxLength: 100, description: `${name} id, e.g. ${description}` } },
    required: ['id'],
  }) as const;

export const deliveryStatusSchema = { type: 'string', enum: ['pending', 'delivered', 'failed'] } as const;

export const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    webhook_id: { type: 'string', description: 'The webhook-id header receivers see; the same on every retry and replay.' },
    event_type: { type: 'string' },
    email_id: nullableString,
    subscription_id: { type: 'string' },
    url: { type: 'string' },
    status: deliveryStatusSchema,
    attempts: { type: 'integer' },
    next_attempt_at: nullableDateTime,
    last_attempt_at: nullableDateTime,
    last_status_code: nullableInteger,
    last_error: nullableString,
    last_latency_ms: { ...nullableInteger, description: 'How long the last attempt waited for its answer.' },
    delivered_at: nullableDateTime,
    created_at: dateTime,
  },
  required: ['id', 'webhook_id', 'subscription_id', 'status', 'attempts', 'created_at'],
} as const;

export const subscriptionSchema = {
  type: 'object',
  description: 'A receiver of ticket.suggested. The secret is never shown here: only when created or rotated.',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    description: { type: 'string' },
    redact: { type: 'boolean', description: 'Receives subject, summary and body_text with personal data replaced by placeholders.' },
    status: { type: 'string', enum: ['enabled', 'disabled'] },
    disabled_reason: nullableString,
    disabled_at: nullableDateTime,
    failing_since: nullableDateTime,
    previous_secret_until: nullableDateTime,
    event_types: { type: 'array', items: { type: 'string' }, description: 'The events it receives (ticket.suggested, ticket.retracted).' },
    pending: { type: 'integer' },
    delivered: { type: 'integer' },
    failed: { type: 'integer' },
    created_at: dateTime,
  },
  required: ['id', 'url', 'status', 'created_at'],
} as const;

/** Dates as ISO strings (fastify's serializer would also accept Date; explicit is clearer). */
export function iso(date: Date | string | null | undefined): string | null {
  if (date === null || date === undefined) return null;
  return (date instanceof Date ? date : new Date(date)).toISOString();
}

/** What a classification recorded about personal data: kinds and counts, never values. */
export const piiSchema = {
  type: ['object', 'null'],
  properties: {
    redacted: { type: 'boolean', description: 'The model was shown the text with placeholders instead of these values.' },
    kinds: { type: 'array', items: { type: 'string' }, description: 'Kinds of personal data found: email, phone, iban, card, national_id, tax_id, dob, address, name.' },
    counts: { type: 'object', additionalProperties: { type: 'integer' }, description: 'Distinct values per kind.' },
  },
} as const;
