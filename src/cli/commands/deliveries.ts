import type { Command } from 'commander';
import type { DeliveryStatus } from '../../db/index.js';
import { visible } from '../../util/terminal-text.js';
import { DELIVERY_STATUSES, deliverDueNow, listAttempts, listDeliveries, type ReplayRefusal, replayDelivery, replayFailedSince } from '../../webhooks/index.js';
import { type AppFactory, formatTable, parseSinceFlag, printJsonLine, UsageError } from '../app.js';

interface Flags {
  config?: string;
  json?: boolean;
  status?: string;
  subscription?: string;
  since?: string;
  limit: string;
  failed?: boolean;
  attempts?: boolean;
}

const REFUSALS: Record<ReplayRefusal, (id: string) => string> = {
  'not-found': (id) => `no delivery ${id}; \`mailroom deliveries list\` shows the ids`,
  'in-flight': (id) => `delivery ${id} is being sent right now; try again when it is recorded`,
  'subscription-disabled': (id) => `the subscription of delivery ${id} is disabled; \`mailroom subscriptions enable\` it first`,
};

export function register(program: Command, openApp: AppFactory): void {
  const deliveries = program.command('deliveries').description('inspect and resend webhook deliveries');

  deliveries
    .command('list')
    .description('list deliveries, newest first')
    .option('--status <status>', `only this status (${DELIVERY_STATUSES.join(', ')})`)
    .option('--subscription <id>', 'only this subscription')
    .option('--since <when>', 'only since a duration ago (1d, 12h) or a date')
    .option('--limit <n>', 'at most this many', '100')
    .option('--attempts', 'with every attempt (time, status, latency, error, response head)')
    .option('--json', 'one JSON object per line')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<Flags>();
      if (flags.status && !DELIVERY_STATUSES.includes(flags.status as DeliveryStatus)) {
        throw new UsageError(`--status: expected one of ${DELIVERY_STATUSES.join(', ')}, got "${flags.status}"`);
      }
      const limit = Number.parseInt(flags.limit, 10);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive whole number, got "${flags.limit}"`);
      const since = flags.since ? parseSinceFlag(flags.since) : undefined;
      const app = await openApp(flags);
      try {
        const rows = await listDeliveries(app.db, {
          limit,
          ...(flags.status ? { status: flags.status as DeliveryStatus } : {}),
          ...(flags.subscription ? { subscriptionId: flags.subscription } : {}),
          ...(since ? { since } : {}),
        });
        if (flags.json) {
          for (const row of rows) printJsonLine(flags.attempts ? { ...row, attempts_log: await listAttempts(app.db, row.id) } : row);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no deliveries match\n');
          return;
        }
        const table = rows.map((r) => [
          r.id,
          r.created_at.toISOString().slice(0, 19).replace('T', ' '),
          r.status,
          String(r.attempts),
          r.webhook_id,
          r.subscription_id,
          r.status === 'pending' && r.next_attempt_at ? `next ${r.next_attempt_at.toISOString().slice(0, 19).replace('T', ' ')}` : (r.delivered_at?.toISOString().slice(0, 19).replace('T', ' ') ?? ''),
          r.last_error ?? (r.last_status_code ? `HTTP ${r.last_status_code}` : ''),
        ]);
        let out = formatTable(['ID', 'CREATED', 'STATUS', 'TRIES', 'WEBHOOK-ID', 'SUBSCRIPTION', 'WHEN', 'LAST RESULT'], table, [30, 19, 9, 5, 30, 30, 25, 100]);
        if (flags.attempts) {
          for (const r of rows) {
            out += `\n${r.id}\n`;
            for (const a of await listAttempts(app.db, r.id)) {
              const head = a.response_head?.split(/\r?\n/, 1)[0]?.slice(0, 80) ?? '';
              out += `  #${a.attempt} ${a.started_at.toISOString()} ${a.status_code ?? '---'} ${a.latency_ms} ms ${visible(a.error ?? 'ok')}${head ? ` | ${visible(head)}` : ''}\n`;
            }
          }
        }
        process.stdout.write(out);
      } finally {
        await app.close();
      }
    });

  deliveries
    .command('replay [id]')
    .description('send a delivery again now, with the same webhook-id; or --failed --since 1d for every dead letter')
    .option('--failed', 'replay every failed (dead-letter) delivery')
    .option('--since <when>', 'with --failed: created since a duration ago (1d) or a date')
    .option('--subscription <id>', 'with --failed: only this subscription')
    .option('--json', 'one JSON object per line')
    .action(async (id: string | undefined, _options, command: Command) => {
      const flags = command.optsWithGlobals<Flags>();
      if (id && flags.failed) throw new UsageError('give either a delivery id or --failed, not both');
      if (!id && !flags.failed) throw new UsageError('give a delivery id, or --failed --since 1d');
      if (flags.failed && !flags.since) throw new UsageError('--failed needs --since (e.g. --since 1d) so an old backlog is not resent by accident');
      const since = flags.since ? parseSinceFlag(flags.since) : null;
      const app = await openApp(flags);
      try {
        let ids: string[];
        let skipped = 0;
        if (id) {
          const result = await replayDelivery(app.db, id, new Date());
          if (!result.ok) throw new UsageError(REFUSALS[result.reason](id));
          ids = [id];
        } else {
          const result = await replayFailedSince(app.db, {
            since: since!,
            now: new Date(),
            ...(flags.subscription ? { subscriptionId: flags.subscription } : {}),
          });
          ids = result.ids;
          skipped = result.skippedDisabled;
        }
        // Sent now rather than at the service's next poll (if one runs): the output says how it went.
        const sent = ids.length > 0 ? await deliverDueNow({ db: app.db, config: app.config, logger: app.logger }, { onlyIds: ids }) : { delivered: 0, failed: 0 };
        const rows = await listDeliveries(app.db, { ids, limit: ids.length || 1 });
        if (flags.json) {
          for (const r of rows) printJsonLine({ id: r.id, webhook_id: r.webhook_id, status: r.status, last_status_code: r.last_status_code, last_error: r.last_error });
        } else {
          for (const r of rows)
            process.stdout.write(`${r.id} ${r.webhook_id}: ${r.status === 'delivered' ? 'delivered' : `not delivered (${visible(r.last_error ?? 'pending')}); retried on the usual schedule`}\n`);
          process.stdout.write(`replayed ${ids.length}: ${sent.delivered} delivered, ${sent.failed} failed${skipped ? `; ${skipped} skipped (subscription disabled)` : ''}\n`);
        }
        if (sent.failed > 0) process.exitCode = 1;
      } finally {
        await app.close();
      }
    });
}
