import type { Command } from 'commander';
import { type Agreement, agreementTrusted, autonomyGap, cascadeUsage, createLocalClassifier, type LocalModel, localModelPath, openLocalModel } from '../../classify/index.js';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { policyFrom } from '../../decide/index.js';
import { formatReport, LabelError, loadLabeledFolder, runEval, summarize } from '../../eval/index.js';
import { type App, type AppFactory, printJsonLine, UsageError } from '../app.js';
import { evalConfig } from './eval.js';

interface ModelFlags {
  config?: string;
  json?: boolean;
}

export function register(program: Command, openApp: AppFactory): void {
  const model = program.command('model').description('the local model: train it, see how it stands, measure it');
  model
    .command('train')
    .description('train the local model now, on the seed corpus and this mailbox history')
    .option('--json', 'the status as one JSON object')
    .action(async (_options, command: Command) => withModel(openApp, command.optsWithGlobals<ModelFlags>(), true));
  model
    .command('status')
    .description('version, labels per source, out-of-fold accuracy, and whether it may suggest tickets or answer for the model (cascade)')
    .option('--json', 'one JSON object')
    .action(async (_options, command: Command) => withModel(openApp, command.optsWithGlobals<ModelFlags>(), false));
  model
    .command('eval')
    .description('measure the local model of this mailbox on a labeled folder (as mailroom eval --classifier local)')
    .argument('[dir]', 'the labeled folder', 'eval/test')
    .option('--json', 'one JSON object per email, then the summary')
    .action(async (dir: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<ModelFlags>();
      let emails: ReturnType<typeof loadLabeledFolder>;
      try {
        emails = loadLabeledFolder(dir);
      } catch (error) {
        throw error instanceof LabelError ? new UsageError(error.message) : error;
      }
      const app = await openApp(flags);
      const store = await openStore(app);
      try {
        // The mailbox's model, judged by the policy the labels assume (the folder's eval.yaml).
        const config = { ...evalConfig(dir, {}), classifier: app.config.classifier };
        const classifier = createLocalClassifier({ model: () => store.current(), autonomy: autonomyRule(config), flagThreshold: config.classifier.local.flag_threshold });
        const results = await runEval(emails, {
          classifier,
          policy: policyFrom(config),
          mailbox: config.mailboxes[0]?.name ?? 'eval',
          ownAddresses: [],
          maxMessageBytes: config.ingest.max_message_bytes,
          maxCleanChars: config.classifier.max_input_chars,
          concurrency: 4,
        });
        const summary = summarize(results);
        if (flags.json) printJsonLine({ type: 'summary', folder: dir, model: store.current().version, ...summary });
        else process.stdout.write(formatReport(summary, { folder: dir, classifier: `local (${store.current().version})` }));
      } finally {
        await store.close();
        await app.close();
      }
    });
}

async function withModel(openApp: AppFactory, flags: ModelFlags, train: boolean): Promise<void> {
  const app = await openApp(flags);
  const store = await openStore(app);
  try {
    const started = performance.now();
    const model = train ? await store.retrainNow() : store.current();
    const status = await statusOf(app.db, app.config, model, await store.pending());
    const seconds = train ? (performance.now() - started) / 1000 : null;
    if (flags.json) printJsonLine({ ...status, ...(seconds === null ? {} : { trained_in_seconds: Math.round(seconds * 10) / 10 }) });
    else process.stdout.write(formatStatus(status, seconds));
  } finally {
    await store.close();
    await app.close();
  }
}

function openStore(app: App) {
  const { config } = app;
  return openLocalModel({ path: localModelPath(config), db: app.db, maxCleanChars: config.classifier.max_input_chars, retrainAfter: config.classifier.local.retrain_after, logger: app.logger });
}

interface RetrainStatus {
  /** Null: due whatever the count (another seed, labels deleted). */
  new_labels: number | null;
  due: boolean;
  retrain_after: number;
}

/** The start no longer retrains in place: this says how far the model in use is behind the mailbox. */
function retrainLine(r: RetrainStatus): string {
  const since = r.new_labels === null ? 'trained on another seed or on labels since deleted' : `${r.new_labels} new label${r.new_labels === 1 ? '' : 's'} since this training`;
  const when = r.due
    ? 'retrained by mailroom run at its next check (at start, then every 5 minutes), or now by mailroom model train'
    : `retrained after ${r.retrain_after - (r.new_labels ?? 0)} more (classifier.local.retrain_after ${r.retrain_after})`;
  return `${since}; ${when}`;
}

function autonomyRule(config: Config) {
  return { minPrecision: config.classifier.local.min_precision, minLabels: config.classifier.local.min_labels };
}

interface ModelStatus {
  version: string;
  trained_at: string;
  labels: Record<string, number>;
  held_out: LocalModel['heldOut'];
  may_suggest_tickets: boolean;
  autonomy: string;
  cascade: { enabled: boolean; agreement: Agreement; trusted: boolean; decided_locally: number; model_calls: number; tokens_saved_estimate: number };
  retrain: RetrainStatus;
}

async function statusOf(db: Db, config: Config, model: LocalModel, pending: { newLabels: number | null; due: boolean }): Promise<ModelStatus> {
  const settings = config.classifier.local;
  const gap = autonomyGap(model, autonomyRule(config));
  const usage = await cascadeUsage(db, settings.cascade_confidence);
  return {
    version: model.version,
    trained_at: model.trainedAt,
    labels: model.counts,
    held_out: model.heldOut,
    may_suggest_tickets: gap === null,
    autonomy: gap ?? 'earned: its precision for support on this mailbox is high enough to suggest tickets on its own',
    cascade: {
      enabled: config.classifier.cascade,
      agreement: usage.agreement,
      trusted: agreementTrusted(usage.agreement, settings),
      decided_locally: usage.decidedLocally,
      model_calls: usage.modelCalls,
      tokens_saved_estimate: usage.tokensSavedEstimate,
    },
    retrain: { new_labels: pending.newLabels, due: pending.due, retrain_after: settings.retrain_after },
  };
}

function formatStatus(s: ModelStatus, trainedInSeconds: number | null): string {
  const pct = (n: number | null | undefined) => (n === null || n === undefined ? '–' : `${(n * 100).toFixed(1)} %`);
  const list = (values: Record<string, number>, format: (n: number) => string) =>
    Object.entries(values)
      .map(([k, v]) => `${k} ${format(v)}`)
      .join(', ');
  const { agreement } = s.cascade;
  return [
    `local model ${s.version}, trained ${s.trained_at}${trainedInSeconds === null ? '' : ` in ${trainedInSeconds.toFixed(1)} s`}`,
    `labels: ${list(s.labels, String)}`,
    retrainLine(s.retrain),
    `intent accuracy out of fold (each example by a model trained without it): ${list(s.held_out.accuracy.bySource, pct)}`,
    `  by language: ${list(s.held_out.accuracy.byLanguage, pct)}`,
    `  by intent:   ${list(s.held_out.accuracy.byIntent, pct)}`,
    `suggests tickets on its own: ${s.may_suggest_tickets ? 'yes' : 'no'} — ${s.autonomy}`,
    `  (support precision on ${s.held_out.mailboxLabels} labels of this mailbox, out of fold: ${pct(s.held_out.mailboxSupportPrecision)})`,
    `cascade: ${s.cascade.enabled ? 'on' : 'off'}; agreement with the AI model ${agreement.compared === 0 ? 'not measured yet' : `${pct(agreement.agreeing / agreement.compared)} over ${agreement.compared} confident answers`}${s.cascade.trusted ? ' (trusted)' : ''}`,
    `  decided locally ${s.cascade.decided_locally}, model calls ${s.cascade.model_calls}, tokens saved ≈ ${s.cascade.tokens_saved_estimate}`,
    '',
  ].join('\n');
}
