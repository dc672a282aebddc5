import type { Command } from 'commander';
import { createClassifier } from '../../classify/create-classifier.js';
import { loadConfig } from '../../config/load-config.js';
import type { TriageResult } from '../../pipeline/triage-result.js';
import { triageFiles } from '../../pipeline/triage-files.js';
import { createLogger } from '../../util/logger.js';
import { deliverDueNow } from '../../webhooks/delivery-worker.js';
import type { App, AppFactory } from '../app.js';
import { expandPaths } from '../expand-paths.js';
import { EXIT_OK, EXIT_SOME_FAILED, UsageError } from '../errors.js';
import { printJsonLine } from '../print.js';

interface TriageFlags {
  json?: boolean;
  dryRun?: boolean;
  mailbox: string;
  config?: string;
}

export function register(program: Command, openApp: AppFactory): void {
  program
    .command('triage')
    .description('run the pipeline on message files (.eml files, folders of them, or patterns)')
    .argument('<files...>', 'message files, folders (every .eml below) or patterns')
    .option('--json', 'one JSON object per line per file: {file, message_id, action, reasons, classification}')
    .option('--dry-run', 'decide but store nothing and send nothing')
    .option('--mailbox <name>', 'file the messages under this mailbox (its addresses apply to the loop guard)', 'triage')
    .action(async (paths: string[], _options, command: Command) => {
      process.exitCode = await runTriage(paths, command.optsWithGlobals<TriageFlags>(), openApp);
    });
}

async function runTriage(paths: string[], flags: TriageFlags, openApp: AppFactory): Promise<number> {
  const files = expandPaths(paths);
  if (files.length === 0) throw new UsageError(`no .eml files found in ${paths.join(' ')}`);
  let app: App | null = null;
  const { config } = flags.dryRun ? loadConfig(flags.config) : (app = await openApp(flags));
  const logger = app?.logger ?? createLogger({ level: process.env.MAILROOM_LOG_LEVEL ?? config.log.level });
  const { classifier, notice } = createClassifier(config.classifier, { logger });
  if (notice) process.stderr.write(`mailroom: ${notice}\n`);
  const printer = flags.json ? printJsonLine : humanPrinter();
  try {
    const { failed, tickets } = await triageFiles({
      files,
      mailbox: flags.mailbox,
      config,
      classifier,
      logger,
      db: app?.db ?? null,
      concurrency: Math.max(config.classifier.concurrency, 4),
      onResult: (result) => printer(flags.json ? toJsonLine(result) : result),
    });
    if (app && tickets > 0) {
      const sent = await deliverDueNow({ db: app.db, config, logger });
      if (!flags.json) process.stderr.write(`webhooks: ${sent.delivered} delivered, ${sent.failed} to retry later (see "mailroom deliveries list")\n`);
    }
    if (!flags.json) process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'}, ${failed} failed\n`);
    return failed > 0 ? EXIT_SOME_FAILED : EXIT_OK;
  } finally {
    await classifier.close?.();
    await app?.close();
  }
}

function toJsonLine(result: TriageResult): object {
  if (!result.ok) return { file: result.file, email_id: result.email_id, error: result.error };
  return {
    file: result.file,
    email_id: result.email_id,
    message_id: result.message_id,
    action: result.action,
    reasons: result.reasons,
    flags: result.flags,
    prefilter: result.prefilter,
    classification: result.classification,
    classifier: result.classifier,
    reused: result.reused,
  };
}

/** FILE  ACTION  WHY — one line per file, errors included, as results arrive. */
function humanPrinter(): (result: unknown) => void {
  return (value) => {
    const result = value as TriageResult;
    if (!result.ok) {
      process.stdout.write(`${result.file}: error: ${result.error}\n`);
      return;
    }
    const why = result.reasons.map((r) => r.text).join('; ');
    const reused = result.reused ? ' (stored decision)' : '';
    process.stdout.write(`${result.file}: ${result.action.toUpperCase()}${reused} — ${why}\n`);
  };
}
