import type { FastifyInstance } from 'fastify';
import { parseSince } from '../../config/index.js';
import type { Action } from '../../contract/index.js';
import { type ApiDeps, sendError } from '../api-context.js';
import { decisionView, decodeCursor, encodeCursor, listDecisions } from '../queries.js';
import { actionSchema, correctionBesideSchema, dateTime, flagsSchema, nullableNumber, nullableString, reasonSchema } from '../schemas.js';

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
      let since: Date | undefined;
      if (q.since) {
        const parsed = parseSince(q.since, deps.clock.now());
        if (!parsed) return sendError(reply, 400, `since: expected a duration like 1d or 12h, or a date like 2026-11-01T00:00:00Z, got "${q.since}"`);
        since = parsed;
      }
      // One row more than asked tells whether another page exists without a count query.
      const rows = await listDecisions(deps.db, { action: q.action, mailbox: q.mailbox, since, after, limit: q.limit + 1 });
      const page = rows.slice(0, q.limit);
      const last = page[page.length - 1];
      return {
        data: page.map(decisionView),
        next_cursor: rows.length > q.limit && last ? encodeCursor({ time: last.cursor_time, id: String(last.id) }) : null,
      };
    },
  );
}
