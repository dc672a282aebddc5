import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { createClassifier } from '../../classify/index.js';
import { type Config, loadConfig, type Mailboxes, mailboxFacts, type ShadowConfig } from '../../config/index.js';
import { createReplyWriter, draftEffect, previewDraft, type ReplyWriter, replyModelConfigured, replyPrivacy } from '../../drafts/index.js';
import { createRedactingLogger } from '../../ops/index.js';
import { parseEmail } from '../../parse/index.js';
import { createPipelineContext, type TriageResult, triageFiles } from '../../pipeline/index.js';
import { newWorkerId } from '../../queue/index.js';
import { redactionKinds } from '../../redact/index.js';
import { candidateName, createShadowCandidate, type ShadowContext, type ShadowOutcome, shadowContext, shadowEffect, shadowNow } from '../../shadow/index.js';
import { systemClock } from '../../util/clock.js';
import { visible } from '../../util/terminal-text.js';
import { deliverDueNow, listSubscriptions, rawEmailUrl, type SubscriptionView, ticketEffect, ticketEventId } from '../../webhooks/index.js';
import { type App, type AppFactory, EXIT_OK, EXIT_SOME_FAILED, printJsonLine, UsageError } from '../app.js';

interface TriageFlags {
  json?: boolean;
  draft?: boolean;
  dryRun?: boolean;
  deliver?: boolean;
  mailbox: string;
  config?: string;
}

export function register(program: Command, openApp: AppFactory): void {
  program
    .command('triage')
    .description('run the pipeline on message files (.eml files, folders of them, or patterns)')
    .argument('<files...>', 'message files, folders (every .eml below) or patterns')
    .option('--json', 'one JSON object per line per file: {file, message_id, action, reasons, classification}')
    .option('--dry-run', 'decide but store nothing and send nothing, without opening the database')
    .option(
      '--deliver',
      'store the decisions and send what they ask for (webhooks now, reply drafts by `mailroom run`); without it, a configuration with subscriptions or reply drafts only shows what would be sent',
    )
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
  // What a stored decision would set off; without --deliver, the run only shows it.
  const subscriptions = app ? (await listSubscriptions(app.db, new Date())).filter((s) => s.status === 'enabled') : [];
  const draftsMailbox = config.drafts.mode !== 'off' && mailboxes.get(flags.mailbox) ? flags.mailbox : null;
  const preview = app !== null && !flags.deliver && (subscriptions.length > 0 || draftsMailbox !== null);
  // Shadow mode as under `mailroom run`: a job queued with each stored decision, run after them all.
  const candidate = app && !preview ? await createShadowCandidate(config, { logger, db: app.db, local }) : null;
  if (config.classifier.shadow && !candidate) process.stderr.write(`mailroom: ${shadowSkipped(config.classifier.shadow, flags)}\n`);
  // Outboxes are filled as by `mailroom run`; their work is done below, after the decisions.
  const effects = [
    ticketEffect({ rawEmailUrl: (emailId, now) => rawEmailUrl(config, emailId, now), wake: () => {} }),
    draftEffect({ mailboxes, enabled: config.drafts.mode !== 'off', wake: () => {} }),
    ...(candidate ? [shadowEffect({ candidate: candidate.name, wake: () => {} })] : []),
  ];
  const ctx = createPipelineContext({ db: app?.db ?? null, config, classifier, logger, clock: systemClock, effects });
  const effectsOf = (result: TriageResult) => (preview ? previewEffects(result, subscriptions, draftsMailbox) : null);
  let wouldSend = 0;
  const decided: string[] = [];
  try {
    const { failed, tickets } = await triageFiles({
      files,
      mailbox: flags.mailbox,
      ctx,
      preview,
      concurrency: Math.max(config.classifier.concurrency, 4),
      onResult: (result) => {
        const effect = effectsOf(result);
        if (effect && !effect.reused && (effect.webhooks.length > 0 || effect.draft)) wouldSend++;
        printer(flags.json ? { ...toJsonLine(result), ...(effect ? { preview: effect } : {}) } : result);
        if (effect && !flags.json) printPreview(effect);
        if (result.ok && result.action === 'draft') drafted.push(result);
        if (result.ok && result.email_id) decided.push(result.email_id);
      },
    });
    if (writer) for (const result of drafted) await printDraftPreview(result, flags, config, mailboxes, writer);
    if (app && !preview && tickets > 0) {
      const sent = await deliverDueNow({ db: app.db, config, logger });
      if (!flags.json) process.stderr.write(`webhooks: ${sent.delivered} delivered, ${sent.failed} to retry later (see "mailroom deliveries list")\n`);
    }
    // Last, so the candidate delays neither a decision nor a webhook.
    if (app && candidate) await runShadow(shadowContext(config, { db: app.db, candidate, logger }), decided, flags);
    if (preview && !flags.json) {
      process.stderr.write(`preview: nothing stored, nothing sent; ${wouldSend} email${wouldSend === 1 ? '' : 's'} would set something off. Add --deliver to store and send.\n`);
    }
    if (!flags.json) process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'}, ${failed} failed\n`);
    return failed > 0 ? EXIT_SOME_FAILED : EXIT_OK;
  } finally {
    await candidate?.classifier.close?.();
    await candidate?.close();
    await classifier.close?.();
    await local?.close();
    await app?.close();
  }
}

/** Why the candidate of classifier.shadow was not asked: its results are stored, and this run stores nothing. */
function shadowSkipped(shadow: ShadowConfig, flags: TriageFlags): string {
  const why = flags.dryRun ? '--dry-run stores nothing' : 'this preview stores nothing (add --deliver to store)';
  return `shadow candidate ${candidateName(shadow)} not asked: ${why}, and shadow results are stored beside stored decisions; \`mailroom eval --compare\` compares on a labeled folder without storing`;
}

/** The candidate's jobs for this run's emails; the live results stand whatever happens here. */
async function runShadow(ctx: ShadowContext, emailIds: string[], flags: TriageFlags): Promise<void> {
  try {
    const outcomes = await shadowNow(ctx, { emailIds, workerId: newWorkerId() });
    if (!flags.json) process.stderr.write(`${shadowSummary(ctx.candidate.name, outcomes)}\n`);
  } catch (error) {
    const why = visible((error as Error).message ?? String(error));
    process.stderr.write(`mailroom: shadow ${visible(ctx.candidate.name)}: could not run the candidate's jobs (${why}); they stay queued for \`mailroom run\`, the decisions above stand\n`);
  }
}

/** One line on what the candidate did with this run's emails. */
function shadowSummary(name: string, outcomes: Array<ShadowOutcome | null>): string {
  const count = (status: ShadowOutcome['status']) => outcomes.filter((o) => o?.status === status).length;
  const unexpected = outcomes.filter((o) => o === null).length;
  const later = count('postponed') + unexpected;
  const parts = [`${count('done')} classified`, ...(later ? [`${later} to retry later (by \`mailroom run\`)`] : []), ...(count('failed') ? [`${count('failed')} failed`] : [])];
  return `shadow ${visible(name)}: ${parts.join(', ')}; nothing it decided was acted on (see "mailroom shadow report")`;
}

/** What one result would set off, or (for an email stored before) what it set off when it was decided. */
interface PreviewEffect {
  /** The email was stored before: its effects were queued then, with this webhook-id. */
  reused: boolean;
  webhook_id: string | null;
  webhooks: Array<{ type: 'ticket.suggested'; subscription_id: string; url: string }>;
  /** The mailbox whose Drafts folder would get a reply draft. */
  draft: string | null;
}

function previewEffects(result: TriageResult, subscriptions: SubscriptionView[], draftsMailbox: string | null): PreviewEffect | null {
  if (!result.ok) return null;
  if (result.reused) return { reused: true, webhook_id: result.action === 'ticket' && result.email_id ? ticketEventId(result.email_id) : null, webhooks: [], draft: null };
  const ticket = result.action === 'ticket' && result.classification !== null;
  return {
    reused: false,
    webhook_id: null,
    webhooks: ticket ? subscriptions.map((s) => ({ type: 'ticket.suggested' as const, subscription_id: s.id, url: s.url })) : [],
    draft: result.action === 'draft' ? draftsMailbox : null,
  };
}

function printPreview(effect: PreviewEffect): void {
  if (effect.reused) {
    if (effect.webhook_id) process.stdout.write(`  already decided: ticket.suggested ${effect.webhook_id} was queued then (see "mailroom deliveries list"); not sent again\n`);
    return;
  }
  for (const w of effect.webhooks) process.stdout.write(`  would send ${w.type} to ${w.subscription_id} ${w.url}\n`);
  if (effect.draft) process.stdout.write(`  would write a reply draft in mailbox ${effect.draft}'s Drafts folder\n`);
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
  const body = preview.ok ? preview.readable : `(no draft: ${visible(preview.reason)})`;
  process.stdout.write(`\n--- draft for ${visible(result.file)} ---\n${body.trimEnd()}\n--- end of draft ---\n`);
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
      process.stdout.write(`${visible(result.file)}: error: ${visible(result.error)}\n`);
      return;
    }
    const why = visible(result.reasons.map((r) => r.text).join('; '));
    const reused = result.reused ? ' (stored decision)' : '';
    process.stdout.write(`${visible(result.file)}: ${result.action.toUpperCase()}${reused} — ${why}\n`);
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
