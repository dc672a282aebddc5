import type { FastifyInstance } from 'fastify';
import { parseSince } from '../../config/index.js';
import { type Action, INTENTS } from '../../contract/index.js';
import { type ApiDeps, sendError } from '../api-context.js';
import { decisionView, decodeCursor, encodeCursor, type FlagName, listDecisions } from '../queries.js';
import { actionSchema, correctionBesideSchema, dateTime, flagsSchema, nullableNumber, nullableString, piiSchema, reasonSchema } from '../schemas.js';

const MAX_LIMIT = 500;

const decisionItem = {
  type: 'object',
  properties: {
    email_id: { type: 'string' },
    decided_at: dateTime,
    mailbox: { type: 'string' },
    message_id: nullableString,
    from: nullableString,
    subject: nullableString,
    action: actionSchema,
    reasons: { type: 'array', items: reasonSchema },
    flags: flagsSchema,
    prefilter: nullableString,
    policy_version: { type: 'string' },
    summary: nullableString,
    pii: piiSchema,
    intent: { ...nullableString, description: 'The intent the classifier gave; null when it was not classified.' },
    classifier: {
      type: ['object', 'null'],
      properties: { classifier: { type: 'string' }, model: { type: 'string' }, prompt_version: { type: 'string' }, confidence: nullableNumber },
    },
    correction: correctionBesideSchema,
  },
  required: ['email_id', 'decided_at', 'mailbox', 'action', 'reasons', 'flags', 'policy_version'],
} as const;

interface DecisionsQuery {
  action?: Action;
  mailbox?: string;
  since?: string;
  until?: string;
  flag?: FlagName;
  intent?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

/** GET /v1/decisions: the audit log, newest first, one page at a time. Read-only. */
export function registerDecisionRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get<{ Querystring: DecisionsQuery }>(
    '/v1/decisions',
    {
      config: { auth: 'bearer', summary: 'What Mailroom decided and why, newest first; follow next_cursor for older pages.', tag: 'decisions' },
      schema: {
        querystring: {
          type: 'object',
          properties: {
            action: { ...actionSchema, description: 'Only this action.' },
            mailbox: { type: 'string', minLength: 1, maxLength: 200, description: 'Only this configured mailbox.' },
            since: { type: 'string', maxLength: 40, description: 'Only decisions since a duration ago (1d, 12h) or a date (2026-11-01T00:00:00Z).' },
            until: { type: 'string', maxLength: 40, description: 'Only decisions before a date (2026-11-02 or 2026-11-02T00:00:00Z) or a duration ago.' },
            flag: { type: 'string', enum: ['payment', 'legal', 'vip'], description: 'Only decisions that raised this flag.' },
            intent: { type: 'string', enum: [...INTENTS], description: 'Only emails the classifier gave this intent.' },
            q: { type: 'string', minLength: 1, maxLength: 200, description: 'Words in the sender (address or name) or the subject, case-insensitive.' },
            limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: 50, description: 'Page size.' },
            cursor: { type: 'string', maxLength: 200, description: 'next_cursor of the previous page.' },
          },
          additionalProperties: false,
        },
        response: {
          200: {
            type: 'object',
            properties: {
              data: { type: 'array', items: decisionItem },
              next_cursor: { ...nullableString, description: 'Pass as cursor for the next (older) page; null on the last page.' },
            },
            required: ['data', 'next_cursor'],
          },
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const after = q.cursor ? decodeCursor(q.cursor) : undefined;
      if (after === null) return sendError(reply, 400, 'cursor is not one this server gave out; start again without cursor');
      const since = q.since ? parseSince(q.since, deps.clock.now()) : undefined;
      if (since === null) return sendError(reply, 400, `since: expected a duration like 1d or 12h, or a date like 2026-11-01T00:00:00Z, got "${q.since}"`);
      const until = q.until ? parseSince(q.until, deps.clock.now()) : undefined;
      if (until === null) return sendError(reply, 400, `until: expected a date like 2026-11-02 or 2026-11-02T00:00:00Z, or a duration ago like 1d, got "${q.until}"`);
      // One row more than asked tells whether another page exists without a count query.
      const rows = await listDecisions(deps.db, {
        action: q.action,
        mailbox: q.mailbox,
        since,
        until,
        flag: q.flag,
        intent: q.intent,
        text: q.q?.trim() || undefined,
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        data: page.map(decisionView),
        next_cursor: rows.length > q.limit && last ? encodeCursor({ time: last.cursor_time, id: String(last.id) }) : null,
      };
    },
  );
}
