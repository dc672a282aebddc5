import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type ClassifierSetup, createClassifier } from '../../classify/index.js';
import { type Config, loadConfig, mailboxFacts } from '../../config/index.js';
import { acquirePGliteLock, type Db, describeDatabase, migrateToLatest, openDatabase } from '../../db/index.js';
import { policyFrom } from '../../decide/index.js';
import { fooledClassifier, formatReport, LabelError, loadLabeledFolder, runEval, summarize } from '../../eval/index.js';
import { createRedactingLogger } from '../../ops/index.js';
import { redactionKinds } from '../../redact/index.js';
import type { Logger } from '../../util/logger.js';
import { type AppFactory, printJsonLine, UsageError } from '../app.js';

interface EvalFlags {
  config?: string;
  classifier?: string;
  fooled?: boolean;
  secondOpinion?: boolean;
  piiAgreement?: boolean;
  learned?: boolean;
  json?: boolean;
}

const CLASSIFIERS = ['auto', 'openai', 'local', 'rules'] as const;

export function register(program: Command, _openApp: AppFactory): void {
  program
    .command('eval')
    .description('measure decisions on a labeled folder (.eml files + labels.jsonl); nothing is stored or sent')
    .argument('[dir]', 'the labeled folder', 'eval/test')
    .option('--classifier <name>', `classify with this one (${CLASSIFIERS.join(', ')}) instead of classifier.provider`)
    .option('--fooled', 'a model that answers "support, 0.97, no flags" to everything, with the local model beside it as in production: measures the safety net')
    .option('--no-second-opinion', 'with --fooled: leave the local model out, measuring the detectors, pre-filters and VIP list alone')
    .option('--no-pii-agreement', 'skip classifying each email a second time, with placeholders if the run had none and the reverse (doubles model calls)')
    .option('--learned', "use the local model as this configuration's database taught it (its history and people's corrections), as `mailroom run` does; default: the seed model alone")
    .option('--json', 'one JSON object per email, then one with the summary')
    .action(async (dir: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<EvalFlags>();
      if (flags.classifier && !CLASSIFIERS.includes(flags.classifier as (typeof CLASSIFIERS)[number])) {
        throw new UsageError(`--classifier: expected one of ${CLASSIFIERS.join(', ')}, got "${flags.classifier}"`);
      }
      let emails: ReturnType<typeof loadLabeledFolder>;
      try {
        emails = loadLabeledFolder(dir);
      } catch (error) {
        if (error instanceof LabelError) throw new UsageError(error.message);
        throw error;
      }
      const config = evalConfig(dir, flags);
      const logger = createRedactingLogger(config);
      if (!process.env.MAILROOM_LOG_LEVEL) logger.level = 'warn';
      // Read only: the labels and corrections the local model learns from. Nothing is stored.
      const database = flags.learned ? await openLearnedDatabase(config) : null;
      const { classifier, notice, local } = await classifierFor(config, flags, logger, database?.db ?? null).catch(async (error: unknown) => {
        await database?.close();
        throw error;
      });
      if (notice && !flags.json) process.stderr.write(`mailroom: ${notice}\n`);
      const mailboxes = mailboxFacts(config);
      const mailbox = mailboxes.all[0]?.name ?? 'eval';
      try {
        const results = await runEval(emails, {
          classifier,
          policy: policyFrom(config),
          mailbox,
          ownAddresses: mailboxes.ownAddresses(mailbox),
          maxMessageBytes: config.ingest.max_message_bytes,
          maxCleanChars: config.classifier.max_input_chars,
          concurrency: Math.max(4, config.classifier.concurrency),
          redact: redactionKinds(config.classifier),
          redactionAgreement: flags.piiAgreement !== false && !flags.fooled,
        });
        const summary = summarize(results);
        const fooled = `fooled (always "support, 0.97, no flags")${local ? `, local model ${local.current().version} beside it` : ', nothing beside it'}`;
        const name = flags.fooled ? fooled : describeClassifier(classifier.name, config, local?.current().version);
        if (flags.json) {
          for (const r of results) printJsonLine({ type: 'email', ...r, reasons: r.reasons.map((x) => x.code) });
          printJsonLine({ type: 'summary', folder: dir, classifier: name, ...summary });
        } else {
          process.stdout.write(formatReport(summary, { folder: dir, classifier: name }));
        }
      } finally {
        await classifier.close?.();
        await local?.close();
        await database?.close();
      }
    });
}

async function classifierFor(config: Config, flags: EvalFlags, logger: Logger, db: Db | null): Promise<ClassifierSetup> {
  if (!flags.fooled) return createClassifier(config, { logger, db });
  if (flags.secondOpinion === false) return { classifier: fooledClassifier(), notice: null, local: null };
  return createClassifier({ ...config, classifier: { ...config.classifier, cascade: false } }, { logger, model: fooledClassifier() });
}

async function openLearnedDatabase(config: Config): Promise<{ db: Db; close(): Promise<void> }> {
  const releaseLock = config.database.url ? () => {} : acquirePGliteLock(config.database.path);
  try {
    const db = await openDatabase(config.database);
    await migrateToLatest(db);
    return {
      db,
      async close() {
        await db.destroy();
        releaseLock();
      },
    };
  } catch (error) {
    releaseLock();
    throw new UsageError(`--learned: cannot open the database (${describeDatabase(config.database)}): ${(error as Error).message}`);
  }
}

/**
 * --config or MAILROOM_CONFIG as for every command; otherwise the `eval.yaml` that sits in the
 * folder or its parent (eval/eval.yaml: the mailbox addresses and VIP list the labels assume).
 */
export function evalConfig(dir: string, flags: EvalFlags): Config {
  const beside = [join(dir, 'eval.yaml'), join(dirname(resolve(dir)), 'eval.yaml')].find((path) => existsSync(path));
  const path = flags.config ?? (process.env.MAILROOM_CONFIG || beside);
  const { config } = loadConfig(path);
  if (!flags.classifier || flags.classifier === 'auto') return config;
  return { ...config, classifier: { ...config.classifier, provider: flags.classifier as Config['classifier']['provider'] } };
}

function describeClassifier(name: string, config: Config, localVersion: string | undefined): string {
  if (name === 'openai') return `openai (${config.classifier.model})${localVersion ? `, with the local model ${localVersion} beside it${config.classifier.cascade ? ' (cascade on)' : ''}` : ''}`;
  return name === 'local' ? `local (${localVersion})` : name;
}
