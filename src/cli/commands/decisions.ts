import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { decisionView, listDecisions } from '../../api/index.js';
import { ACTIONS, type Action, INTENTS } from '../../contract/index.js';
import { CORRECTION_FLAGS, CorrectionRefusedError, recordCorrection } from '../../corrections/index.js';
import { rawEmailUrl } from '../../webhooks/index.js';
import { type AppFactory, formatTable, parseSinceFlag, printJsonLine, UsageError } from '../app.js';

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
      const since = flags.since ? parseSinceFlag(flags.since) : null;
      const app = await openApp(flags);
      try {
        const rows = await listDecisions(app.db, { limit, action: flags.action as Action | undefined, mailbox: flags.mailbox, since: since ?? undefined });
        if (flags.json) {
          for (const row of rows) printJsonLine(decisionView(row));
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
          correctedCell(decisionView(row).correction),
          row.from_address ?? '',
          row.subject ?? '',
          row.prompt_tokens === null ? (row.cached_from ? 'cache' : '-') : `${row.prompt_tokens}+${row.completion_tokens ?? 0}`,
          piiColumn(row.pii),
          row.draft_id ? `${row.draft_id} (${row.draft_status})` : '',
          row.reasons.map((r) => r.text).join('; '),
        ]);
        process.stdout.write(formatTable(['DECIDED', 'EMAIL', 'ACTION', 'CORRECTED', 'FROM', 'SUBJECT', 'TOKENS', 'PII', 'DRAFT', 'WHY'], table, [19, 30, 6, 30, 32, 40, 10, 30, 42, 100]));
      } finally {
        await app.close();
      }
    });

  decisions
    .command('correct <email-id>')
    .description('say what Mailroom should have done; the decision stays in the audit log, the correction stands beside it')
    .requiredOption('--action <action>', `what should have happened (${ACTIONS.join(', ')})`)
    .option('--intent <intent>', `the intent it really has (${INTENTS.join(', ')})`)
    .option('--flag <flag>', `a flag it should carry (${CORRECTION_FLAGS.join(', ')}); repeatable`, (value: string, previous: string[] = []) => [...previous, value])
    .option('--note <text>', 'why, for the log')
    .option('--by <name>', 'who corrects (default: your user name)')
    .option('--json', 'print the correction as JSON')
    .action(async (emailId: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<{ action: string; intent?: string; flag?: string[]; note?: string; by?: string; json?: boolean; config?: string }>();
      const app = await openApp(flags);
      try {
        const recorded = await recordCorrection(
          {
            db: app.db,
            now: () => new Date(),
            maxCleanChars: app.config.classifier.max_input_chars,
            rawEmailUrl: (id, now) => rawEmailUrl(app.config, id, now),
            keywords: app.config.ingest.keywords,
          },
          { emailId, action: flags.action, intent: flags.intent, flags: flags.flag, note: flags.note, by: flags.by ?? userInfo().username, via: 'cli' },
        );
        if (flags.json) {
          printJsonLine({
            id: recorded.id,
            email_id: recorded.emailId,
            from_action: recorded.from,
            to_action: recorded.to,
            corrected_by: recorded.by,
            corrected_at: recorded.at.toISOString(),
            effects: recorded.effects,
          });
          return;
        }
        const effects = [
          recorded.effects.suggested > 0 ? `ticket.suggested queued for ${recorded.effects.suggested} subscription(s)` : '',
          recorded.effects.retracted > 0 ? `ticket.retracted queued for ${recorded.effects.retracted} subscription(s)` : '',
          recorded.effects.cancelled > 0 ? `${recorded.effects.cancelled} undelivered ticket.suggested cancelled` : '',
          recorded.effects.keyword ? `keyword ${recorded.effects.keyword} queued for the mail client` : '',
        ].filter(Boolean);
        process.stdout.write(`${recorded.emailId}: ${recorded.from} → ${recorded.to}, by ${recorded.by} (${recorded.id})${effects.length ? `; ${effects.join('; ')}` : ''}\n`);
        if (recorded.effects.suggested + recorded.effects.retracted > 0) process.stdout.write('`mailroom run` sends the events; `mailroom deliveries list` shows them.\n');
        else if (recorded.effects.keyword) process.stdout.write('`mailroom run` sets the keyword.\n');
      } catch (error) {
        if (error instanceof CorrectionRefusedError) throw new UsageError(error.message);
        throw error;
      } finally {
        await app.close();
      }
    });
}

/** "card, email (redacted)": the kinds of personal data found, and whether the model saw them replaced. */
function piiColumn(pii: { redacted: boolean; kinds: Partial<Record<string, number>> } | null): string {
  if (!pii) return '';
  const kinds = Object.keys(pii.kinds).sort();
  if (kinds.length === 0) return pii.redacted ? 'none (redacted)' : '';
  return `${kinds.join(', ')}${pii.redacted ? ' (redacted)' : ''}`;
}

function correctedCell(correction: ReturnType<typeof decisionView>['correction']): string {
  return correction ? `→ ${correction.action} (${correction.corrected_by})` : '';
}
