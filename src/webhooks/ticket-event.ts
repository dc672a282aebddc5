import { CATEGORIES, type Classification, INTENTS, PII_KINDS, PRIORITIES } from '../contract/index.js';
import type { DbOrTx, Tx } from '../db/index.js';
import type { AttachmentInfo, ParsedEmail } from '../parse/index.js';
import type { DecisionEffect } from '../pipeline/index.js';
import { type EmailPii, kindsOf, Redactor } from '../redact/index.js';
import { newId } from '../util/ids.js';
import { choosesEvent } from './subscriptions.js';

/** What the decision stage knows when it chooses `ticket`; everything the event needs. */
export interface TicketEventInput {
  emailId: string;
  threadId: string;
  mailbox: string;
  receivedAt: Date;
  email: ParsedEmail;
  classification: Classification;
  model: string;
  promptVersion: string;
  rawEmailUrl: string | null;
  /** What the pipeline found about personal data; null for events built without it. */
  pii?: EmailPii | null;
  correction?: TicketSuggestedEvent['data']['correction'];
}

/** The `ticket.suggested` body (docs/events.md). Receivers depend on these names. */
export interface TicketSuggestedEvent {
  type: 'ticket.suggested';
  timestamp: string;
  data: {
    email_id: string;
    thread_id: string;
    message_id: string | null;
    mailbox: string;
    from: string | null;
    from_name: string | null;
    subject: string;
    summary: string;
    body_text: string;
    priority: Classification['priority'];
    category: Classification['category'];
    intent: Classification['intent'];
    language: string;
    team: string | null;
    confidence: number;
    received_at: string;
    attachments: AttachmentInfo[];
    classifier: { model: string; prompt_version: string };
    raw_email_url?: string;
    pii?: { redacted: boolean; kinds: string[] };
    /** Present when a person's correction, not Mailroom's decision, made this a ticket. */
    correction?: { corrected_by: string; corrected_at: string; note: string | null };
  };
}

export const TICKET_SUGGESTED = 'ticket.suggested';

const str = (description: string) => ({ type: 'string', description });
const nullableStr = (description: string) => ({ type: ['string', 'null'], description });
const oneOf = (values: readonly string[], description: string) => ({ type: 'string', enum: [...values], description });

/** The body of `ticket.suggested` as a JSON Schema: the `webhooks` section of /openapi.json and docs/events.md. */
export const TICKET_SUGGESTED_SCHEMA = {
  type: 'object',
  required: ['type', 'timestamp', 'data'],
  additionalProperties: false,
  properties: {
    type: { const: TICKET_SUGGESTED },
    timestamp: { type: 'string', format: 'date-time', description: 'When the event was created (the decision); the same on every retry.' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: [
        'email_id',
        'thread_id',
        'message_id',
        'mailbox',
        'from',
        'from_name',
        'subject',
        'summary',
        'body_text',
        'priority',
        'category',
        'intent',
        'language',
        'team',
        'confidence',
        'received_at',
        'attachments',
        'classifier',
      ],
      properties: {
        email_id: str("Mailroom's id of the email (em_ + ULID); the webhook-id is derived from it."),
        thread_id: str('The same for every email of one conversation (th_ + a hash of the thread root).'),
        message_id: nullableStr('The Message-ID header with angle brackets.'),
        mailbox: str('The configured mailbox name.'),
        from: nullableStr('The sender address, lower-cased.'),
        from_name: nullableStr('The sender display name.'),
        subject: str('The subject, decoded.'),
        summary: str("One sentence written by the model, in the email's language."),
        body_text: str('The newest message of the email: quotes, signatures and hidden text removed.'),
        priority: oneOf(PRIORITIES, 'How urgently a person should look at it.'),
        category: oneOf(CATEGORIES, 'The kind of support request.'),
        intent: oneOf(INTENTS, 'Always support for a ticket.'),
        language: str("ISO 639-1 code of the email's language."),
        team: nullableStr('One of classifier.teams, or null.'),
        confidence: { type: 'number', minimum: 0, maximum: 1, description: 'The confidence the ticket threshold was applied to.' },
        received_at: { type: 'string', format: 'date-time', description: 'When the mailbox received the email (IMAP INTERNALDATE).' },
        attachments: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['filename', 'content_type', 'size'],
            properties: { filename: str('As sent.'), content_type: str('MIME type.'), size: { type: 'integer', description: 'Bytes.' } },
          },
        },
        classifier: {
          type: 'object',
          additionalProperties: false,
          required: ['model', 'prompt_version'],
          properties: { model: str('The model that classified.'), prompt_version: str('Hash of prompt, schema and model settings.') },
        },
        raw_email_url: { type: 'string', format: 'uri', description: 'Signed, expiring link to the original message; present when api.public_url is set.' },
        pii: {
          type: 'object',
          additionalProperties: false,
          required: ['redacted', 'kinds'],
          description: 'Personal data in the email, by kind (never the values); present on events of emails classified since Mailroom looks for it.',
          properties: {
            redacted: {
              type: 'boolean',
              description: 'The model saw the text with placeholders ([EMAIL_1], [IBAN_1] …) instead of these values (classifier.redact); the summary was written from that text.',
            },
            kinds: {
              type: 'array',
              items: oneOf(PII_KINDS, 'A kind of personal data.'),
              description: 'The kinds found in the subject and text.',
            },
          },
        },
        correction: {
          type: 'object',
          additionalProperties: false,
          required: ['corrected_by', 'corrected_at', 'note'],
          description: "Present when a person's correction made this email a ticket (mailroom decisions correct, the API, or the mail client).",
          properties: { corrected_by: str('Who corrected.'), corrected_at: { type: 'string', format: 'date-time' }, note: nullableStr('Their note.') },
        },
      },
    },
  },
} as const;

export const TICKET_RETRACTED = 'ticket.retracted';

/** The body of `ticket.retracted`: a person corrected a delivered ticket away. */
export const TICKET_RETRACTED_SCHEMA = {
  type: 'object',
  required: ['type', 'timestamp', 'data'],
  additionalProperties: false,
  properties: {
    type: { const: TICKET_RETRACTED },
    timestamp: { type: 'string', format: 'date-time', description: 'When the correction was made.' },
    data: {
      type: 'object',
      additionalProperties: false,
      required: ['email_id', 'suggested_webhook_id', 'action', 'corrected_by', 'corrected_at', 'note'],
      properties: {
        email_id: str('The email whose ticket.suggested you received.'),
        suggested_webhook_id: str('The webhook-id of that ticket.suggested: find your ticket by it.'),
        action: oneOf(['draft', 'review', 'ignore'], 'What the person said should happen instead.'),
        corrected_by: str('Who corrected.'),
        corrected_at: { type: 'string', format: 'date-time' },
        note: nullableStr('Their note.'),
      },
    },
  },
} as const;

/** The body of `ping` (mailroom subscriptions test). */
export const PING_SCHEMA = {
  type: 'object',
  required: ['type', 'timestamp', 'data'],
  properties: {
    type: { const: 'ping' },
    timestamp: { type: 'string', format: 'date-time' },
    data: {
      type: 'object',
      required: ['subscription_id', 'message'],
      properties: { subscription_id: str('The subscription pinged.'), message: str('Human-readable; no action needed.') },
    },
  },
} as const;

/**
 * The OpenAPI 3.1 `webhooks` section: what Mailroom POSTs to a subscription, for a receiver's author.
 * Every request carries the Standard Webhooks headers; docs/events.md says how to verify them.
 */
export function webhooksOpenApi(): Record<string, unknown> {
  const header = (name: string, description: string) => ({ name, in: 'header', required: true, description, schema: { type: 'string' } });
  const headers = [
    header('webhook-id', 'Stable per email (msg_ + its ULID): the same on every retry and replay; deduplicate on it.'),
    header('webhook-timestamp', 'Unix seconds of this attempt; reject when more than 5 minutes from your clock.'),
    header('webhook-signature', 'Space-separated `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per active secret.'),
  ];
  const responses = {
    '2XX': { description: 'Received: the delivery is done.' },
    '410': { description: 'Gone: Mailroom disables the subscription.' },
    default: { description: 'Any other answer (or none within webhooks.timeout, or a redirect) is retried on the Svix schedule.' },
  };
  const operation = (summary: string, schema: unknown) => ({
    post: { summary, parameters: headers, requestBody: { required: true, content: { 'application/json': { schema } } }, responses },
  });
  return {
    [TICKET_SUGGESTED]: operation('A ticket is suggested for an email: create the ticket your way.', TICKET_SUGGESTED_SCHEMA),
    [TICKET_RETRACTED]: operation('A person corrected a ticket you received away: close or drop it your way.', TICKET_RETRACTED_SCHEMA),
    ping: operation('A test event from `mailroom subscriptions test` or POST /v1/subscriptions/{id}/test.', PING_SCHEMA),
  };
}

/**
 * The webhook-id of an email's event. Derived from the email id alone, so every retry, replay and
 * re-run of the pipeline carries the same id and receivers can deduplicate on it.
 */
export function ticketEventId(emailId: string): string {
  const underscore = emailId.indexOf('_');
  return `msg_${underscore >= 0 ? emailId.slice(underscore + 1) : emailId}`;
}

export function buildTicketSuggestedEvent(input: TicketEventInput, now: Date): { id: string; body: TicketSuggestedEvent } {
  const { email, classification } = input;
  const data: TicketSuggestedEvent['data'] = {
    email_id: input.emailId,
    thread_id: input.threadId,
    message_id: email.messageId,
    mailbox: input.mailbox,
    from: email.from?.address || null,
    from_name: email.from?.name || null,
    subject: email.subject,
    summary: classification.summary,
    body_text: email.newestText,
    priority: classification.priority,
    category: classification.category,
    intent: classification.intent,
    language: classification.language,
    team: classification.team,
    confidence: classification.confidence,
    received_at: input.receivedAt.toISOString(),
    attachments: email.attachments.map((a) => ({ filename: a.filename, content_type: a.content_type, size: a.size })),
    classifier: { model: input.model, prompt_version: input.promptVersion },
  };
  if (input.rawEmailUrl !== null) data.raw_email_url = input.rawEmailUrl;
  if (input.pii) data.pii = { redacted: input.pii.view !== null, kinds: kindsOf(input.pii.found) };
  if (input.correction) data.correction = input.correction;
  return { id: ticketEventId(input.emailId), body: { type: TICKET_SUGGESTED, timestamp: now.toISOString(), data } };
}

/**
 * The body for subscriptions with `redact` (tools that must not store personal data): the same
 * event with subject, summary and body_text redacted; null when there was nothing to replace.
 */
export function redactedEventBody(body: TicketSuggestedEvent): TicketSuggestedEvent | null {
  const redactor = new Redactor();
  const subject = redactor.text(body.data.subject);
  const summary = redactor.text(body.data.summary);
  const bodyText = redactor.text(body.data.body_text);
  if (subject === body.data.subject && summary === body.data.summary && bodyText === body.data.body_text) return null;
  return { ...body, data: { ...body.data, subject, summary, body_text: bodyText } };
}

/**
 * Puts `ticket.suggested` in the outbox for every `ticket` decision, INSIDE the decision's
 * transaction: the event and its deliveries exist exactly when the decision does, and nothing is
 * sent before that commit (the worker only sees committed rows).
 */
export function ticketEffect(options: { rawEmailUrl: (emailId: string, now: Date) => string | null; wake: () => void }): DecisionEffect {
  return {
    wants: (decided) => decided.decision.action === 'ticket' && decided.evaluation.classification !== null,
    async enqueue(trx, decided) {
      const result = decided.evaluation.classification;
      if (!result) return false;
      const input: TicketEventInput = {
        emailId: decided.emailId,
        threadId: decided.threadId,
        mailbox: decided.mailbox,
        receivedAt: decided.receivedAt,
        email: decided.email,
        classification: result.classification,
        model: result.model,
        promptVersion: result.promptVersion,
        rawEmailUrl: options.rawEmailUrl(decided.emailId, decided.now),
        pii: decided.evaluation.pii,
      };
      return (await enqueueTicketEvent(trx, input, decided.now)).deliveries > 0;
    },
    wake: options.wake,
  };
}

/** The event and one delivery per enabled subscription. Safe to call twice for one email. */
export async function enqueueTicketEvent(trx: Tx, input: TicketEventInput, now: Date): Promise<{ eventId: string; deliveries: number }> {
  const event = buildTicketSuggestedEvent(input, now);
  const redacted = redactedEventBody(event.body);
  await insertEvent(trx, { id: event.id, type: TICKET_SUGGESTED, emailId: input.emailId, body: JSON.stringify(event.body), redactedBody: redacted && JSON.stringify(redacted), now });
  const deliveries = await insertDeliveriesForEnabledSubscriptions(trx, event.id, now);
  return { eventId: event.id, deliveries };
}

/**
 * Stores an event body once. A second call for the same id (the pipeline re-running an email)
 * keeps the first bytes, so every attempt signs exactly what the first one did.
 */
export async function insertEvent(db: DbOrTx, event: { id: string; type: string; emailId: string | null; body: string; redactedBody?: string | null; now: Date }): Promise<void> {
  await db
    .insertInto('webhook_events')
    .values({ id: event.id, type: event.type, email_id: event.emailId, body: event.body, redacted_body: event.redactedBody ?? null, created_at: event.now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/**
 * One outbox row per enabled subscription, due at `dueAt`. The unique (event, subscription) pair
 * makes a repeated call a no-op. Returns how many rows were new.
 */
export async function insertDeliveriesForEnabledSubscriptions(db: DbOrTx, eventId: string, now: Date, dueAt: Date = now): Promise<number> {
  const subscriptions = await db.selectFrom('webhook_subscriptions').select('id').where('enabled', '=', true).where(choosesEvent('ticket.suggested')).orderBy('id').execute();
  if (subscriptions.length === 0) return 0;
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values(
      subscriptions.map((s) => ({
        id: newId('dlv', now),
        event_id: eventId,
        subscription_id: s.id,
        next_attempt_at: dueAt,
        created_at: now,
        updated_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(['event_id', 'subscription_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}
