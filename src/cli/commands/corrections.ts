import type { Command } from 'commander';
import { correctionView, exportCorrections, listCorrections } from '../../corrections/index.js';
import { type AppFactory, formatTable, parseSinceFlag, printJsonLine, UsageError } from '../app.js';

export function register(program: Command, openApp: AppFactory): void {
  const corrections = program.command('corrections').description("people's corrections of decisions: list them, export them as a labeled set");
  corrections
    .command('list')
    .description('every correction, newest first')
    .option('--since <when>', 'only since a duration ago (7d, 12h) or a date')
    .option('--email <id>', 'only this email')
    .option('--mailbox <name>', 'only this mailbox')
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'one JSON object per line')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<{ since?: string; email?: string; mailbox?: string; limit: string; json?: boolean; config?: string }>();
      const limit = Number.parseInt(flags.limit, 10);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${flags.limit}"`);
      const since = flags.since ? parseSinceFlag(flags.since) : undefined;
      const app = await openApp(flags);
      try {
        const rows = await listCorrections(app.db, { since, emailId: flags.email, mailbox: flags.mailbox, limit });
        if (flags.json) {
          for (const row of rows) printJsonLine(correctionView(row));
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no corrections match\n');
          return;
        }
        const table = rows.map((r) => [
          r.created_at.toISOString().slice(0, 19).replace('T', ' '),
          r.email_id,
          r.decided_action,
          `${r.from_action} → ${r.to_action}`,
          [r.intent, r.payment ? 'payment' : '', r.legal ? 'legal' : ''].filter(Boolean).join(', '),
          r.corrected_by,
          r.via,
          r.subject ?? '',
          r.note ?? '',
        ]);
        process.stdout.write(formatTable(['CORRECTED', 'EMAIL', 'DECIDED', 'CHANGE', 'LABELS', 'BY', 'VIA', 'SUBJECT', 'NOTE'], table, [19, 30, 8, 20, 24, 24, 12, 40, 60]));
      } finally {
        await app.close();
      }
    });

  corrections
    .command('export <dir>')
    .description('write the corrected emails as .eml files with labels.jsonl (the eval/ format), for `mailroom eval DIR`')
    .option('--since <when>', 'only corrections since a duration ago (30d) or a date')
    .action(async (dir: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<{ since?: string; config?: string }>();
      const since = flags.since ? parseSinceFlag(flags.since) : undefined;
      const app = await openApp(flags);
      try {
        const result = await exportCorrections(app.db, dir, since ? { since } : {});
        process.stdout.write(`wrote ${result.written} corrected email(s) with labels to ${dir}; measure with: mailroom eval ${dir}\n`);
        for (const s of result.skipped) process.stderr.write(`mailroom: skipped ${s.emailId}: ${s.reason}\n`);
      } finally {
        await app.close();
      }
    });
}
