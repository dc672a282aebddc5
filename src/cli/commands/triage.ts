import type { Command } from 'commander';
import { createClassifier } from '../../classify/create-classifier.js';
import { loadConfig } from '../../config/load-config.js';
import { readFile } from 'node:fs/promises';
import type { Config } from '../../config/schema.js';
import { previewDraft } from '../../drafts/draft-preview.js';
import { createReplyWriter, type ReplyWriter } from '../../drafts/write-reply.js';
import { parseEmail } from '../../parse/parse-email.js';
import type { TriageResult } from '../../pipeline/triage-result.js';
import { triageFiles } from '../../pipeline/triage-files.js';
import { createRedactingLogger } from '../../ops/redacting-logger.js';
import { deliverDueNow } from '../../webhooks/delivery-worker.js';
import type { App, AppFactory } from '../app.js';
import { expandPaths } from '../expand-paths.js';
import { EXIT_OK, EXIT_SOME_FAILED, UsageError } from '../errors.js';
import { printJsonLine } from '../print.js';

interface TriageFlags {
  json?: boolean;
  draft?: boolean;
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
    .option('--draft', 'print the reply draft Mailroom would write for emails decided "draft"')
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
  const logger = app?.logger ?? createRedactingLogger(config);
  // Each file's result is the output; per-decision info lines would repeat it. MAILROOM_LOG_LEVEL brings them back.
  if (!process.env.MAILROOM_LOG_LEVEL && logger.levelVal < 40) logger.level = 'warn';
  const { classifier, notice } = createClassifier(config.classifier, { logger });
  if (notice) process.stderr.write(`mailroom: ${notice}\n`);
  const printer = flags.json ? printJsonLine : humanPrinter();
  const writer = flags.draft ? createReplyWriter({ config, logger }) : null;
  // Previews are written after the decisions, so the two outputs never interleave.
  const drafted: Extract<TriageResult, { ok: true }>[] = [];
  try {
    const { failed, tickets } = await triageFiles({
      files,
      mailbox: flags.mailbox,
      config,
      classifier,
      logger,
      db: app?.db ?? null,
      concurrency: Math.max(config.classifier.concurrency, 4),
      onResult: (result) => {
        printer(flags.json ? toJsonLine(result) : result);
        if (result.ok && result.action === 'draft') drafted.push(result);
      },
    });
    if (writer) for (const result of drafted) await printDraftPreview(result, flags, config, writer);
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

/** Parses the file again (cheap) and prints the draft that would be written, without touching a mailbox. */
async function printDraftPreview(result: Extract<TriageResult, { ok: true }>, flags: TriageFlags, config: Config, writer: ReplyWriter): Promise<void> {
  const email = await parseEmail(await readFile(result.file), { maxCleanChars: config.classifier.max_input_chars });
  const preview = await previewDraft({
    email,
    emailId: result.email_id ?? 'em_preview',
    mailbox: flags.mailbox,
    classification: result.classification,
    acknowledgeOnly: result.acknowledge_only,
    config,
    writer,
  }).catch((error: unknown) => ({ ok: false as const, reason: (error as Error).message }));
  if (flags.json) {
    printJsonLine(preview.ok ? { file: result.file, draft: preview.message } : { file: result.file, draft: null, reason: preview.reason });
    return;
  }
  const body = preview.ok ? preview.readable : `(no draft: ${preview.reason})`;
  process.stdout.write(`\n--- draft for ${result.file} ---\n${body.trimEnd()}\n--- end of draft ---\n`);
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
