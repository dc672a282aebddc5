import type { FastifyInstance } from 'fastify';
import { correctionView, listCorrections } from '../../corrections/index.js';
import { type DeliveryView, listDeliveries, rawEmailUrl, verifyRawEmailToken } from '../../webhooks/index.js';
import { type ApiDeps, sendError } from '../api-context.js';
import { type EmailRow, loadEmail, loadRawEmail, loadSightings, piiView } from '../queries.js';
import {
  actionSchema,
  classificationOutputSchema,
  correctionSchema,
  dateTime,
  deliverySchema,
  errorSchema,
  flagsSchema,
  idParams,
  iso,
  nullableDateTime,
  nullableInteger,
  nullableNumber,
  nullableString,
  piiSchema,
  reasonSchema,
} from '../schemas.js';

const emailSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    thread_id: { type: 'string' },
    mailbox: { type: 'string' },
    source: { type: 'string', enum: ['imap', 'file'] },
    message_id: nullableString,
    from: nullableString,
    from_name: nullableString,
    subject: nullableString,
    sent_at: nullableDateTime,
    received_at: dateTime,
    size_bytes: { type: 'integer' },
    sha256: { type: 'string' },
    status: {
      type: 'string',
      enum: ['pending', 'decided', 'failed'],
      description: 'pending: waiting for a worker; decided; failed: malformed, kept with its error.',
    },
    error: nullableString,
    attempts: { type: 'integer' },
    raw_available: { type: 'boolean', description: 'False when the message was over ingest.max_message_bytes and only its headers were kept.' },
    raw_email_url: { ...nullableString, description: 'A signed link to the original message (when api.public_url is set).' },
    clean_text: { ...nullableString, description: 'The newest message as the parse stage cleaned it (quotes, signatures, hidden text removed); null before it was parsed.' },
    hidden_text: { ...nullableString, description: 'Text hidden from a reader (white on white, display:none…): the detectors read it, the model does not.' },
    attachments: {
      type: 'array',
      items: { type: 'object', properties: { filename: { type: 'string' }, content_type: { type: 'string' }, size: { type: 'integer' } } },
    },
    classification: {
      type: ['object', 'null'],
      properties: {
        classifier: { type: 'string' },
        model: { type: 'string' },
        prompt_version: { type: 'string' },
        model_version: { ...nullableString, description: "The local model's version, when it classified or gave a second opinion." },
        output: classificationOutputSchema,
        confidence: nullableNumber,
        model_confidence: nullableNumber,
        logprob_confidence: nullableNumber,
        mode: nullableString,
        prompt_tokens: nullableInteger,
        completion_tokens: nullableInteger,
        latency_ms: nullableInteger,
        cached: { type: 'boolean' },
        error: nullableString,
        pii: piiSchema,
        created_at: dateTime,
      },
    },
    decision: {
      type: ['object', 'null'],
      properties: {
        action: actionSchema,
        reasons: { type: 'array', items: reasonSchema },
        flags: flagsSchema,
        detector_matches: {
          type: 'array',
          items: { type: 'object', properties: { flag: { type: 'string' }, term: { type: 'string' }, where: { type: 'string' } } },
        },
        prefilter: nullableString,
        acknowledge_only: { type: 'boolean' },
        policy_version: { type: 'string' },
        decided_at: dateTime,
      },
    },
    draft: {
      type: ['object', 'null'],
      description: 'The reply draft, when the decision asked for one.',
      properties: {
        id: { type: 'string' },
        status: { type: 'string', enum: ['pending', 'drafted', 'sent', 'skipped'] },
        reply_text: nullableString,
        language: nullableString,
        folder: { ...nullableString, description: 'The IMAP folder it was appended to.' },
        note: nullableString,
        error: nullableString,
        created_at: dateTime,
        completed_at: nullableDateTime,
      },
    },
    deliveries: { type: 'array', items: deliverySchema },
    sightings: {
      type: 'array',
      description: 'Later arrivals of this same email (another mailbox, a triage file): recorded, never decided again.',
      items: {
        type: 'object',
        properties: {
          mailbox: { type: 'string' },
          source: { type: 'string', enum: ['imap', 'file'] },
          size_bytes: { type: 'integer' },
          imap_uid: nullableInteger,
          received_at: dateTime,
        },
      },
    },
    corrections: { type: 'array', items: correctionSchema, description: "People's corrections of the decision, newest first; the first stands." },
  },
  required: ['id', 'thread_id', 'mailbox', 'status', 'received_at', 'classification', 'decision', 'draft', 'deliveries'],
} as const;

/** GET /v1/emails/:id and its original message. Read-only: nothing here changes a decision. */
export function registerEmailRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Params: { id: string } }>(
    '/v1/emails/:id',
    {
      config: { auth: 'bearer', summary: 'One email: metadata, classification, decision and deliveries.', tag: 'emails' },
      schema: { params: idParams('email', 'em_01J…'), response: { 200: emailSchema } },
    },
    async (request, reply) => {
      const row = await loadEmail(deps.db, request.params.id);
      if (!row) return sendError(reply, 404, `no email ${request.params.id}; GET /v1/decisions lists email ids`);
      const deliveries = await listDeliveries(deps.db, { emailId: row.id, order: 'oldest', limit: null });
      const sightings = await loadSightings(deps.db, row.id);
      const corrections = await listCorrections(deps.db, { emailId: row.id, limit: 100 });
      return {
        ...emailView(row, deliveries, row.raw_available ? rawEmailUrl(deps.config, row.id, deps.clock.now(), linkOptions(deps)) : null),
        sightings,
        corrections: corrections.map(correctionView),
      };
    },
  );

  app.get<{ Params: { id: string }; Querystring: { token?: string } }>(
    '/v1/emails/:id/raw',
    {
      config: {
        auth: 'link-or-bearer',
        summary: 'The original message (RFC 822) with its attachments; with a bearer token or the signed token of raw_email_url.',
        produces: 'message/rfc822',
        tag: 'emails',
      },
      schema: {
        params: idParams('email', 'em_01J…'),
        querystring: {
          type: 'object',
          properties: { token: { type: 'string', maxLength: 200, description: 'The token of a raw_email_url link.' } },
          additionalProperties: false,
        },
        response: {
          200: { type: 'string', description: 'The message bytes as received.' },
          410: { ...errorSchema, description: 'The message was over ingest.max_message_bytes; only its headers were kept.' },
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!deps.tokens.check(request.headers.authorization)) {
        const token = request.query.token;
        if (!token) {
          reply.header('www-authenticate', 'Bearer');
          return sendError(reply, 401, 'send Authorization: Bearer <one of api.tokens>, or use the signed raw_email_url from the event');
        }
        const checked = verifyRawEmailToken(deps.config, id, token, deps.clock.now(), linkOptions(deps));
        if (!checked.ok) {
          const message =
            checked.reason === 'expired'
              ? `this link to ${id} has expired (links last api.raw_link_ttl); fetch the message with an API token instead`
              : `this link's token is not valid for ${id} (altered or cut off); use the raw_email_url exactly as the event carried it`;
          return sendError(reply, 403, message, checked.reason === 'expired' ? 'LINK_EXPIRED' : 'LINK_INVALID');
        }
      }
      const row = await loadRawEmail(deps.db, id);
      if (!row) return sendError(reply, 404, `no email ${id}`);
      if (!row.raw) return sendError(reply, 410, `the original of ${id} (${row.size_bytes} bytes) was not kept: it was over ingest.max_message_bytes`);
      return (
        reply
          .header('content-type', 'message/rfc822')
          .header('content-disposition', `attachment; filename="${id.replace(/[^A-Za-z0-9_-]/g, '')}.eml"`)
          // The token is in the URL: keep it out of caches and out of Referer headers.
          .header('cache-control', 'private, no-store')
          .header('referrer-policy', 'no-referrer')
          .send(row.raw)
      );
    },
  );
}

export function linkOptions(deps: ApiDeps): { keyFile?: string } {
  return deps.keyFile ? { keyFile: deps.keyFile } : {};
}

function emailView(row: EmailRow, deliveries: DeliveryView[], rawUrl: string | null) {
  return {
    id: row.id,
    thread_id: row.thread_id,
    mailbox: row.mailbox,
    source: row.source,
    message_id: row.message_id,
    from: row.from_address,
    from_name: row.from_name,
    subject: row.subject,
    sent_at: iso(row.sent_at),
    received_at: iso(row.received_at),
    size_bytes: Number(row.size_bytes),
    sha256: row.sha256,
    status: row.status,
    error: row.error,
    attempts: row.attempts,
    raw_available: row.raw_available,
    raw_email_url: rawUrl,
    ...storedText(row.parsed),
    classification:
      row.c_classifier === null
        ? null
        : {
            classifier: row.c_classifier,
            model: row.c_model,
            prompt_version: row.c_prompt_version,
            model_version: row.c_model_version,
            output: row.c_output,
            confidence: row.c_confidence,
            model_confidence: row.c_model_confidence,
            logprob_confidence: row.c_logprob_confidence,
            mode: row.c_mode,
            prompt_tokens: row.c_prompt_tokens,
            completion_tokens: row.c_completion_tokens,
            latency_ms: row.c_latency_ms,
            cached: row.c_cached === true,
            error: row.c_error,
            pii: piiView(row.c_pii),
            created_at: iso(row.c_created_at),
          },
    decision:
      row.action === null
        ? null
        : {
            action: row.action,
            reasons: row.reasons ?? [],
            flags: row.flags,
            detector_matches: row.detector_matches ?? [],
            prefilter: row.prefilter,
            acknowledge_only: row.acknowledge_only === true,
            policy_version: row.policy_version,
            decided_at: iso(row.decided_at),
          },
    draft:
      row.r_id === null
        ? null
        : {
            id: row.r_id,
            status: row.r_status,
            reply_text: row.r_reply_text,
            language: row.r_language,
            folder: row.r_folder,
            note: row.r_note,
            error: row.r_error,
            created_at: iso(row.r_created_at),
            completed_at: iso(row.r_completed_at),
          },
    deliveries: deliveries.map(deliveryView),
  };
}

/** The cleaned text from messages.parsed, whatever parse version stored it; nulls for a refusal or no parse. */
function storedText(parsed: unknown): { clean_text: string | null; hidden_text: string | null; attachments: unknown[] } {
  const stored = (typeof parsed === 'string' ? JSON.parse(parsed) : parsed) as Record<string, unknown> | null;
  const text = (key: string) => (stored && typeof stored[key] === 'string' ? (stored[key] as string) : null);
  return {
    clean_text: text('newestText'),
    hidden_text: text('hiddenText') || null,
    attachments: stored && Array.isArray(stored.attachments) ? stored.attachments : [],
  };
}

export function deliveryView(d: DeliveryView) {
  return {
    id: d.id,
    webhook_id: d.webhook_id,
    event_type: d.event_type,
    email_id: d.email_id,
    subscription_id: d.subscription_id,
    url: d.url,
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === 'pending' ? iso(d.next_attempt_at) : null,
    last_attempt_at: iso(d.last_attempt_at),
    last_status_code: d.last_status_code,
    last_error: d.last_error,
    last_latency_ms: d.last_latency_ms,
    delivered_at: iso(d.delivered_at),
    created_at: iso(d.created_at),
  };
}
