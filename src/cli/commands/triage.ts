import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createClassifier } from '../../classify/index.js';
import { type Config, loadConfig, type Mailboxes, mailboxFacts } from '../../config/index.js';
import { createReplyWriter, draftEffect, previewDraft, type ReplyWriter, replyModelConfigured, replyPrivacy } from '../../drafts/index.js';
import { createRedactingLogger } from '../../ops/index.js';
import { parseEmail } from '../../parse/index.js';
import { createPipelineContext, type TriageResult, triageFiles } from '../../pipeline/index.js';
import { redactionKinds } from '../../redact/index.js';
import { systemClock } from '../../util/clock.js';
import { deliverDueNow, rawEmailUrl, ticketEffect } from '../../webhooks/index.js';
import { type App, type AppFactory, EXIT_OK, EXIT_SOME_FAILED, printJsonLine, UsageError } from '../app.js';

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
  const app: App | null = flags.dryRun ? null : await openApp(flags);
  const config = app ? app.config : loadConfig(flags.config).config;
  const logger = app?.logger ?? createRedactingLogger(config);
  // Each file's result is the output; per-decision info lines would repeat it. MAILROOM_LOG_LEVEL brings them back.
  if (!process.env.MAILROOM_LOG_LEVEL && logger.levelVal < 40) logger.level = 'warn';
  const { classifier, notice, local } = await createClassifier(config, { logger, db: app?.db ?? null });
  if (notice) process.stderr.write(`mailroom: ${notice}\n`);
  const printer = flags.json ? printJsonLine : humanPrinter();
  const writer = flags.draft ? createReplyWriter({ config, logger }) : null;
  // Previews are written after the decisions, so the two outputs never interleave.
  const drafted: Extract<TriageResult, { ok: true }>[] = [];
  const mailboxes = mailboxFacts(config);
  // Outboxes are filled as by `mailroom run`; their work is done below, after the decisions.
  const effects = [
    ticketEffect({ rawEmailUrl: (emailId, now) => rawEmailUrl(config, emailId, now), wake: () => {} }),
    draftEffect({ mailboxes, enabled: config.drafts.mode !== 'off', wake: () => {} }),
  ];
  const ctx = createPipelineContext({ db: app?.db ?? null, config, classifier, logger, clock: systemClock, effects });
  try {
    const { failed, tickets } = await triageFiles({
      files,
      mailbox: flags.mailbox,
      ctx,
      concurrency: Math.max(config.classifier.concurrency, 4),
      onResult: (result) => {
        printer(flags.json ? toJsonLine(result) : result);
        if (result.ok && result.action === 'draft') drafted.push(result);
      },
    });
    if (writer) for (const result of drafted) await printDraftPreview(result, flags, config, mailboxes, writer);
    if (app && tickets > 0) {
      const sent = await deliverDueNow({ db: app.db, config, logger });
      if (!flags.json) process.stderr.write(`webhooks: ${sent.delivered} delivered, ${sent.failed} to retry later (see "mailroom deliveries list")\n`);
    }
    if (!flags.json) process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'}, ${failed} failed\n`);
    return failed > 0 ? EXIT_SOME_FAILED : EXIT_OK;
  } finally {
    await classifier.close?.();
    await local?.close();
    await app?.close();
  }
}

/** Parses the file again (cheap) and prints the draft that would be written, without touching a mailbox. */
async function printDraftPreview(result: Extract<TriageResult, { ok: true }>, flags: TriageFlags, config: Config, mailboxes: Mailboxes, writer: ReplyWriter): Promise<void> {
  const email = await parseEmail(await readFile(result.file), { maxCleanChars: config.classifier.max_input_chars });
  const preview = await previewDraft({
    email,
    emailId: result.email_id ?? 'em_preview',
    mailbox: flags.mailbox,
    classification: result.classification,
    acknowledgeOnly: result.acknowledge_only,
    mailboxes,
    privacy: replyPrivacy(email, replyModelConfigured(config.classifier) ? redactionKinds(config.classifier) : null, null),
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

/**
 * Turns the triage arguments into files: a file stays itself, a folder gives every `.eml` below it
 * (sorted), and a pattern with * or ? (when the shell did not expand it) matches file names in its
 * folder. A path that does not exist is kept, so the caller reports it as that file's error.
 */
export function expandPaths(args: string[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (/[*?]/.test(arg)) {
      out.push(...expandPattern(arg));
      continue;
    }
    let isDirectory = false;
    try {
      isDirectory = statSync(arg).isDirectory();
    } catch {
      // reported later as "no such file"
    }
    if (isDirectory) out.push(...walkEml(arg));
    else out.push(arg);
  }
  return out;
}

function walkEml(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...walkEml(path));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.eml')) found.push(path);
  }
  return found;
}

/** Expands one pattern segment by segment: `corpus/raw/*\/*.eml`. */
function expandPattern(pattern: string): string[] {
  const parts = pattern.split('/');
  let bases = [parts[0] === '' ? '/' : '.'];
  const start = parts[0] === '' ? 1 : 0;
  for (let i = start; i < parts.length; i++) {
    const part = parts[i]!;
    const last = i === parts.length - 1;
    const next: string[] = [];
    for (const base of bases) {
      if (!/[*?]/.test(part)) {
        next.push(join(base, part));
        continue;
      }
      const regex = new RegExp(
        `^${part
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      let entries: string[] = [];
      try {
        entries = readdirSync(base).sort();
      } catch {
        continue;
      }
      for (const name of entries) {
        if (!regex.test(name)) continue;
        const path = join(base, name);
        try {
          const stat = statSync(path);
          if (last ? stat.isFile() : stat.isDirectory()) next.push(path);
        } catch {
          // vanished between readdir and stat
        }
      }
    }
    bases = next;
  }
  return bases.length > 0 ? bases : [pattern];
}
