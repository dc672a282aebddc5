import type { FastifyInstance } from 'fastify';
import { parseSince } from '../../config/index.js';
import { ACTIONS, INTENTS } from '../../contract/index.js';
import { CORRECTION_FLAGS, CorrectionRefusedError, correctionView, listCorrections, recordCorrection } from '../../corrections/index.js';
import { rawEmailUrl } from '../../webhooks/index.js';
import { type ApiDeps, sendError } from '../api-context.js';
import { correctionSchema, errorSchema, idParams } from '../schemas.js';
import { linkOptions } from './emails.js';

const MAX_LIMIT = 1000;

interface CorrectionBody {
  action: string;
  intent?: string;
  flags?: string[];
  note?: string;
}

/**
 * Corrections through the API: the one route that records something about a decision. It never
 * changes the decision row (the audit log stays as Mailroom decided); it adds the person's word beside it.
 */
export function registerCorrectionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const tag = 'corrections';
  app.post<{ Params: { id: string }; Body: CorrectionBody }>(
    '/v1/emails/:id/corrections',
    {
      config: {
        auth: 'bearer',
        summary: "Correct a decision: what Mailroom should have done. Recorded under the API token's name; the latest correction stands.",
        tag,
      },
      schema: {
        params: idParams('email', 'em_01J…'),
        body: {
          type: 'object',
          properties: {
            // Not an enum here: an unknown action gets the 422 with the list, like the CLI's exit 2.
            action: { type: 'string', maxLength: 40, description: `One of ${ACTIONS.join(', ')}.` },
            intent: { type: 'string', maxLength: 40, description: `The intent it really has: one of ${INTENTS.join(', ')}.` },
            flags: { type: 'array', items: { type: 'string', maxLength: 40 }, maxItems: 2, description: `Flags it should carry: ${CORRECTION_FLAGS.join(', ')}.` },
            note: { type: 'string', maxLength: 2000 },
          },
          required: ['action'],
          additionalProperties: false,
        },
        response: {
          201: {
            type: 'object',
            properties: {
              ...correctionSchema.properties,
              effects: {
                type: 'object',
                description:
                  'ticket.suggested and ticket.retracted deliveries queued, ticket.suggested deliveries cancelled, and the $Mailroom-* keyword queued for the message (ingest.keywords, mail that came over IMAP).',
                properties: { suggested: { type: 'integer' }, retracted: { type: 'integer' }, cancelled: { type: 'integer' }, keyword: { type: 'string' } },
              },
            },
            required: [...correctionSchema.required, 'effects'],
          },
          422: { ...errorSchema, description: 'Unknown email, an email not decided yet, or an action, intent or flag that does not exist.' },
        },
      },
    },
    async (request, reply) => {
      const by = deps.tokens.nameOf(request.headers.authorization) ?? 'api';
      try {
        const recorded = await recordCorrection(
          {
            db: deps.db,
            now: () => deps.clock.now(),
            maxCleanChars: deps.config.classifier.max_input_chars,
            rawEmailUrl: (emailId, now) => rawEmailUrl(deps.config, emailId, now, linkOptions(deps)),
            keywords: deps.config.ingest.keywords,
          },
          { emailId: request.params.id, action: request.body.action, intent: request.body.intent, flags: request.body.flags, note: request.body.note, by, via: 'api' },
        );
        if (recorded.effects.suggested + recorded.effects.retracted > 0) deps.wakeDeliveries();
        deps.logger.info({ email_id: recorded.emailId, from: recorded.from, to: recorded.to, by }, 'decision corrected through the API');
        const [row] = await listCorrections(deps.db, { id: recorded.id, limit: 1 });
        return reply.code(201).send({ ...correctionView(row!), effects: recorded.effects });
      } catch (error) {
        if (error instanceof CorrectionRefusedError) return sendError(reply, 422, error.message, error.code);
        throw error;
      }
    },
  );

  app.get<{ Querystring: { since?: string; email_id?: string; mailbox?: string; limit: number } }>(
    '/v1/corrections',
    {
      config: { auth: 'bearer', summary: 'Every correction, newest first (both of two people correcting one email).', tag },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            since: { type: 'string', maxLength: 40, description: 'Only corrections since a duration ago (7d) or a date.' },
            email_id: { type: 'string', maxLength: 100, description: 'Only this email.' },
            mailbox: { type: 'string', maxLength: 200, description: 'Only this mailbox.' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 100 },
          },
          additionalProperties: false,
        },
        response: { 200: { type: 'object', properties: { data: { type: 'array', items: correctionSchema } }, required: ['data'] } },
      },
    },
    async (request, reply) => {
      const q = request.query;
      let since: Date | undefined;
      if (q.since) {
        const parsed = parseSince(q.since, deps.clock.now());
        if (!parsed) return sendError(reply, 400, `since: expected a duration like 7d or 12h, or a date like 2026-11-01T00:00:00Z, got "${q.since}"`);
        since = parsed;
      }
      const rows = await listCorrections(deps.db, { since, emailId: q.email_id, mailbox: q.mailbox, limit: q.limit });
      return { data: rows.map(correctionView) };
    },
  );
}
