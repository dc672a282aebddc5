import type { Command } from 'commander';
import { listWaitingMessages, WAITING_STATUSES, type WaitingStatus } from '../../api/index.js';
import { type AppFactory, formatTable, printJsonLine, UsageError } from '../app.js';

interface ListFlags {
  status?: string;
  limit: string;
  json?: boolean;
  config?: string;
}

export function register(program: Command, openApp: AppFactory): void {
  const messages = program.command('messages').description('mail not decided yet, and why');
  messages
    .command('list')
    .description('list pending, processing and failed messages, oldest first, with the reason each waits')
    .option('--status <status>', `only this status (${WAITING_STATUSES.join(', ')})`)
    .option('--limit <n>', 'at most this many', '100')
    .option('--json', 'one JSON object per line')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<ListFlags>();
      if (flags.status && !WAITING_STATUSES.includes(flags.status as WaitingStatus)) {
        throw new UsageError(`--status: expected one of ${WAITING_STATUSES.join(', ')}, got "${flags.status}"`);
      }
      const limit = Number.parseInt(flags.limit, 10);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${flags.limit}"`);
      const app = await openApp(flags);
      try {
        const rows = await listWaitingMessages(app.db, { status: flags.status as WaitingStatus | undefined, limit, now: new Date() });
        if (flags.json) {
          for (const row of rows) printJsonLine(row);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write(flags.status ? `no ${flags.status} messages\n` : 'every stored message is decided\n');
          return;
        }
        const table = rows.map((r) => [r.received_at.slice(0, 19).replace('T', ' '), r.email_id, r.mailbox, r.status, String(r.attempts), r.subject ?? '', r.reason]);
        process.stdout.write(formatTable(['RECEIVED', 'EMAIL', 'MAILBOX', 'STATUS', 'TRIES', 'SUBJECT', 'WHY'], table, [19, 30, 20, 10, 5, 40, 160]));
      } finally {
        await app.close();
      }
    });
}
