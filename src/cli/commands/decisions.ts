import type { Command } from 'commander';
import { ACTIONS, type Action } from '../../decide/decision.js';
import type { AppFactory } from '../app.js';
import { UsageError } from '../errors.js';
import { parseSince } from '../parse-since.js';
import { formatTable, printJsonLine } from '../print.js';

interface ListFlags {
  since?: string;
  action?: string;
  mailbox?: string;
  limit: string;
  json?: boolean;
  config?: string;
}

export function register(program: Command, openApp: AppFactory): void {
  const decisions = program.command('decisions').description('the audit log: what Mailroom decided and why');
  decisions
    .command('list')
    .description('list decisions, newest first')
    .option('--since <when>', 'only since a duration ago (1d, 12h) or a date')
    .option('--action <action>', `only this action (${ACTIONS.join(', ')})`)
    .option('--mailbox <name>', 'only this mailbox')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'one JSON object per line')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<ListFlags>();
      if (flags.action && !ACTIONS.includes(flags.action as Action)) {
        throw new UsageError(`--action: expected one of ${ACTIONS.join(', ')}, got "${flags.action}"`);
      }
      const limit = Number.parseInt(flags.limit, 10);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${flags.limit}"`);
      const since = flags.since ? parseSince(flags.since) : null;
      const app = await openApp(flags);
      try {
        let query = app.db
          .selectFrom('decisions as d')
          .innerJoin('messages as m', 'm.id', 'd.email_id')
          .leftJoin('classifications as c', 'c.id', 'd.classification_id')
          .select([
            'd.id', 'd.email_id', 'd.action', 'd.reasons', 'd.flags', 'd.prefilter', 'd.policy_version', 'd.created_at',
            'm.mailbox', 'm.message_id', 'm.from_address', 'm.subject',
            'c.model', 'c.prompt_version', 'c.confidence', 'c.prompt_tokens', 'c.completion_tokens', 'c.cached_from', 'c.error as classification_error',
          ])
          .orderBy('d.created_at', 'desc')
          .orderBy('d.id', 'desc')
          .limit(limit);
        if (flags.action) query = query.where('d.action', '=', flags.action as Action);
        if (flags.mailbox) query = query.where('m.mailbox', '=', flags.mailbox);
        if (since) query = query.where('d.created_at', '>=', since);
        const rows = await query.execute();
        if (flags.json) {
          for (const row of rows) {
            printJsonLine({
              email_id: row.email_id,
              decided_at: row.created_at,
              mailbox: row.mailbox,
              message_id: row.message_id,
              from: row.from_address,
              subject: row.subject,
              action: row.action,
              reasons: row.reasons,
              flags: row.flags,
              prefilter: row.prefilter,
              policy_version: row.policy_version,
              classifier: row.model
                ? {
                    model: row.model,
                    prompt_version: row.prompt_version,
                    confidence: row.confidence,
                    prompt_tokens: row.prompt_tokens,
                    completion_tokens: row.completion_tokens,
                    cached: row.cached_from !== null,
                    error: row.classification_error,
                  }
                : null,
            });
          }
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no decisions match\n');
          return;
        }
        const table = rows.map((row) => [
          row.created_at.toISOString().slice(0, 19).replace('T', ' '),
          row.email_id,
          row.action,
          row.from_address ?? '',
          row.subject ?? '',
          row.prompt_tokens === null ? (row.cached_from ? 'cache' : '-') : `${row.prompt_tokens}+${row.completion_tokens ?? 0}`,
          row.reasons.map((r) => r.text).join('; '),
        ]);
        process.stdout.write(formatTable(['DECIDED', 'EMAIL', 'ACTION', 'FROM', 'SUBJECT', 'TOKENS', 'WHY'], table, [19, 30, 6, 32, 40, 10, 100]));
      } finally {
        await app.close();
      }
    });
}
