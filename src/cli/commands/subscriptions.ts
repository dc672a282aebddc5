import type { Command } from 'commander';
import { visible } from '../../util/terminal-text.js';
import {
  addSubscription,
  EVENT_TYPES,
  listSubscriptions,
  parseEventTypes,
  pingSubscription,
  removeSubscription,
  rotateSubscriptionSecret,
  secretBoxFromConfig,
  setSubscriptionEnabled,
  UnknownSubscriptionError,
  type UrlPolicy,
  WebhookUrlRefusedError,
} from '../../webhooks/index.js';
import { type App, type AppFactory, formatTable, printJsonLine, UsageError } from '../app.js';

interface Flags {
  config?: string;
  json?: boolean;
  description?: string;
  redact?: boolean;
  events?: string;
}

export function urlPolicyFromConfig(app: Pick<App, 'config'>): UrlPolicy {
  return { allowHttp: app.config.webhooks.allow_http, allowPrivateNetworks: app.config.webhooks.allow_private_networks };
}

/** Runs `fn` with an open app, turning "no such id" and refused URLs into usage errors (exit 2). */
async function withApp<T>(openApp: AppFactory, flags: Flags, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await openApp(flags);
  try {
    return await fn(app);
  } catch (error) {
    if (error instanceof UnknownSubscriptionError || error instanceof WebhookUrlRefusedError) throw new UsageError(error.message);
    throw error;
  } finally {
    await app.close();
  }
}

export function register(program: Command, openApp: AppFactory): void {
  const subscriptions = program.command('subscriptions').description('manage who receives ticket.suggested (signed webhooks)');

  subscriptions
    .command('add <url>')
    .description('subscribe a URL; prints the signing secret once')
    .option('--description <text>', 'what this receiver is, e.g. "Zendesk production"')
    .option('--redact', 'send subject, summary and body_text with personal data replaced by placeholders ([EMAIL_1], [IBAN_1] …), for tools that must not store it')
    .option('--events <types>', `comma-separated event types it receives (${EVENT_TYPES.join(', ')})`, 'ticket.suggested')
    .option('--json', 'print {id, url, secret, event_types} as JSON')
    .action(async (url: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<Flags>();
      let eventTypes: ReturnType<typeof parseEventTypes>;
      try {
        eventTypes = parseEventTypes(flags.events ?? 'ticket.suggested');
      } catch (error) {
        throw new UsageError(`--events: ${(error as Error).message}`);
      }
      await withApp(openApp, flags, async (app) => {
        let added: Awaited<ReturnType<typeof addSubscription>>;
        try {
          added = await addSubscription(app.db, {
            url,
            description: flags.description ?? '',
            redact: flags.redact === true,
            eventTypes,
            urlPolicy: urlPolicyFromConfig(app),
            secretBox: secretBoxFromConfig(app.config),
            now: new Date(),
          });
        } catch (error) {
          if (error instanceof WebhookUrlRefusedError) throw error;
          throw new UsageError(`cannot add ${url}: ${(error as Error).message}`);
        }
        if (flags.json) {
          printJsonLine({ id: added.id, url: added.url, secret: added.secret, event_types: added.event_types });
          return;
        }
        process.stdout.write(
          `added ${added.id} → ${added.url} (${added.event_types.join(', ')})\n` +
            `secret: ${added.secret}\n` +
            'This secret is shown only now: put it in the receiver (it verifies the webhook-signature header).\n' +
            `Check the receiver with: mailroom subscriptions test ${added.id}\n`,
        );
      });
    });

  subscriptions
    .command('list')
    .description('list subscriptions with their status (no secrets)')
    .option('--json', 'one JSON object per line')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<Flags>();
      await withApp(openApp, flags, async (app) => {
        const rows = await listSubscriptions(app.db, new Date());
        if (flags.json) {
          for (const row of rows) printJsonLine(row);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write('no subscriptions; add one with: mailroom subscriptions add https://…\n');
          return;
        }
        const table = rows.map((r) => [
          r.id,
          r.status,
          r.url,
          `${r.pending}/${r.delivered}/${r.failed}`,
          r.failing_since ? `failing since ${r.failing_since.toISOString().slice(0, 16)}` : '',
          [
            r.description,
            r.redact ? 'redacted subject, summary and text' : '',
            r.event_types.join(',') === 'ticket.suggested' ? '' : `events: ${r.event_types.join(', ')}`,
            r.disabled_reason ? `disabled: ${r.disabled_reason}` : '',
            r.previous_secret_until ? `old secret signs until ${r.previous_secret_until.toISOString().slice(0, 16)}` : '',
          ]
            .filter(Boolean)
            .join('; '),
        ]);
        process.stdout.write(formatTable(['ID', 'STATUS', 'URL', 'PEND/OK/FAIL', 'HEALTH', 'NOTES'], table, [30, 8, 60, 14, 30, 160]));
      });
    });

  subscriptions
    .command('remove <id>')
    .description('delete a subscription with its deliveries and their log')
    .action(async (id: string, _options, command: Command) => {
      await withApp(openApp, command.optsWithGlobals<Flags>(), async (app) => {
        await removeSubscription(app.db, id);
        process.stdout.write(`removed ${id}\n`);
      });
    });

  for (const [name, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    subscriptions
      .command(`${name} <id>`)
      .description(enabled ? 'turn a subscription back on (clears its failure history)' : 'stop sending to a subscription (its deliveries wait)')
      .action(async (id: string, _options, command: Command) => {
        await withApp(openApp, command.optsWithGlobals<Flags>(), async (app) => {
          await setSubscriptionEnabled(app.db, id, enabled, new Date());
          process.stdout.write(`${enabled ? 'enabled' : 'disabled'} ${id}\n`);
        });
      });
  }

  subscriptions
    .command('rotate-secret <id>')
    .description('make a new signing secret; the old one keeps signing beside it for 24 h')
    .option('--json', 'print {id, secret, previous_valid_until} as JSON')
    .action(async (id: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<Flags>();
      await withApp(openApp, flags, async (app) => {
        const { secret, previousValidUntil } = await rotateSubscriptionSecret(app.db, { id, secretBox: secretBoxFromConfig(app.config), now: new Date() });
        if (flags.json) {
          printJsonLine({ id, secret, previous_valid_until: previousValidUntil });
          return;
        }
        process.stdout.write(
          `new secret for ${id}: ${secret}\n` +
            `Shown only now. Until ${previousValidUntil.toISOString()} every event carries two signatures (old and new secret), so switch the receiver before then.\n`,
        );
      });
    });

  subscriptions
    .command('test <id>')
    .description('send a signed ping event and show the answer')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<Flags>();
      await withApp(openApp, flags, async (app) => {
        const result = await pingSubscription(app.db, {
          id,
          secretBox: secretBoxFromConfig(app.config),
          urlPolicy: urlPolicyFromConfig(app),
          timeoutMs: app.config.webhooks.timeout,
          now: () => new Date(),
        });
        if (flags.json)
          printJsonLine({
            id,
            webhook_id: result.webhookId,
            status_code: result.statusCode,
            latency_ms: result.latencyMs,
            first_line: result.firstLine,
            error: result.error,
          });
        else {
          const status = result.statusCode === null ? 'no answer' : `HTTP ${result.statusCode}`;
          // The receiver's words: shown, never let act on the terminal.
          const verdict = result.error === null ? 'ok' : `failed: ${visible(result.error)}`;
          process.stdout.write(`${verdict} — ${status} in ${result.latencyMs} ms${result.firstLine ? `: ${visible(result.firstLine)}` : ''}\n`);
        }
        if (result.error !== null) process.exitCode = 1;
      });
    });
}
