import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { type Classifier, type ClassifierSetup, createClassifier } from '../../classify/index.js';
import { type Config, loadConfig, mailboxFacts } from '../../config/index.js';
import { acquirePGliteLock, type Db, describeDatabase, migrateToLatest, openDatabase } from '../../db/index.js';
import { policyFrom } from '../../decide/index.js';
import {
  type EmailResult,
  type EvalOptions,
  type EvalSummary,
  fooledClassifier,
  formatReport,
  LabelError,
  type LabeledEmail,
  loadLabeledFolder,
  runEval,
  type Score,
  summarize,
} from '../../eval/index.js';
import { createRedactingLogger } from '../../ops/index.js';
import { type PiiKind, redactionKinds } from '../../redact/index.js';
import { type ComparedEmail, compareDecisions, createShadowCandidate, formatComparison, type Side } from '../../shadow/index.js';
import type { Logger } from '../../util/logger.js';
import { visibleLines } from '../../util/terminal-text.js';
import { type AppFactory, printJsonLine, UsageError } from '../app.js';

interface EvalFlags {
  config?: string;
  classifier?: string;
  fooled?: boolean;
  secondOpinion?: boolean;
  piiAgreement?: boolean;
  learned?: boolean;
  json?: boolean;
  compare?: string[];
}

const CLASSIFIERS = ['auto', 'openai', 'local', 'rules'] as const;
const DEFAULT_FOLDER = 'eval/test';

export function register(program: Command, _openApp: AppFactory): void {
  program
    .command('eval')
    .description('measure decisions on a labeled folder (.eml files + labels.jsonl); nothing is stored or sent')
    .argument('[dir]', 'the labeled folder (default: eval/test)')
    .option('--classifier <name>', `classify with this one (${CLASSIFIERS.join(', ')}) instead of classifier.provider`)
    .option('--fooled', 'a model that answers "support, 0.97, no flags" to everything, with the local model beside it as in production: measures the safety net')
    .option('--no-second-opinion', 'with --fooled: leave the local model out, measuring the detectors, pre-filters and VIP list alone')
    .option('--no-pii-agreement', 'skip classifying each email a second time, with placeholders if the run had none and the reverse (doubles model calls)')
    .option('--learned', "use the local model as this configuration's database taught it (its history and people's corrections), as `mailroom run` does; default: the seed model alone")
    .option(
      '--compare <a-and-b...>',
      'evaluate two classifiers and show them side by side, with the emails whose action changed and the flags gained or lost; each is openai, local, rules, auto, shadow (classifier.shadow) or a YAML file whose classifier section is used',
    )
    .option('--json', 'one JSON object per email, then one with the summary')
    .action(async (given: string | undefined, _options, command: Command) => {
      const flags = command.optsWithGlobals<EvalFlags>();
      if (flags.compare) {
        // `--compare A B DIR`: the option takes every word after it, so a third one is the folder.
        const specs = [...flags.compare];
        const folder = given ?? (specs.length === 3 ? specs.pop() : undefined) ?? DEFAULT_FOLDER;
        if (specs.length !== 2)
          throw new UsageError(`--compare: expected two classifiers (and optionally the folder), e.g. --compare local openai eval/dev; got ${specs.length === 0 ? 'none' : `"${specs.join(' ')}"`}`);
        if (flags.fooled || flags.classifier || flags.learned) throw new UsageError('--compare names both classifiers itself: leave out --fooled, --classifier and --learned');
        await runComparison(folder, specs as [string, string], flags);
        return;
      }
      const dir = given ?? DEFAULT_FOLDER;
      if (flags.classifier && !CLASSIFIERS.includes(flags.classifier as (typeof CLASSIFIERS)[number])) {
        throw new UsageError(`--classifier: expected one of ${CLASSIFIERS.join(', ')}, got "${flags.classifier}"`);
      }
      const emails = labeledFolder(dir);
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
      try {
        const results = await runEval(emails, {
          ...evalOptions(config, classifier, redactionKinds(config.classifier)),
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

function labeledFolder(dir: string): LabeledEmail[] {
  try {
    return loadLabeledFolder(dir);
  } catch (error) {
    if (error instanceof LabelError) throw new UsageError(error.message);
    throw error;
  }
}

/** One side of --compare: a classifier ready to run, how the report names it, and what it is shown redacted. */
interface CompareSide {
  name: string;
  classifier: Classifier;
  redact: ReadonlySet<PiiKind> | null;
  close(): Promise<void>;
}

/**
 * A side of --compare: a provider name (the eval configuration with classifier.provider set to it),
 * `shadow` (its classifier.shadow candidate), or a YAML file whose classifier section replaces the
 * eval configuration's. The policy and the mailbox addresses stay the eval configuration's, so
 * only the classifier differs between the two sides.
 */
async function compareSide(spec: string, config: Config, logger: Logger): Promise<CompareSide> {
  if (spec === 'shadow') {
    if (!config.classifier.shadow) throw new UsageError('--compare shadow: the configuration has no classifier.shadow (set one, or name a provider or a YAML file)');
    const candidate = await createShadowCandidate(config, { logger, db: null });
    if (!candidate) throw new UsageError('--compare shadow: no candidate configured');
    return {
      name: `shadow ${candidate.name}`,
      classifier: candidate.classifier,
      redact: candidate.redact,
      close: async () => {
        await candidate.classifier.close?.();
        await candidate.close();
      },
    };
  }
  let sideConfig: Config;
  let label = '';
  if ((CLASSIFIERS as readonly string[]).includes(spec)) {
    sideConfig = { ...config, classifier: { ...config.classifier, provider: spec as Config['classifier']['provider'] } };
  } else if (/\.ya?ml$/i.test(spec) || existsSync(spec)) {
    // A missing or invalid file is a ConfigError: exit 2 with the file and the problem.
    sideConfig = { ...config, classifier: loadConfig(spec).config.classifier };
    label = `${basename(spec)}: `;
  } else {
    throw new UsageError(`--compare: "${spec}" is neither a classifier (${[...CLASSIFIERS, 'shadow'].join(', ')}) nor a YAML file`);
  }
  const setup = await createClassifier(sideConfig, { logger });
  return {
    name: label + describeClassifier(setup.classifier.name, sideConfig, setup.local?.current().version),
    classifier: setup.classifier,
    redact: redactionKinds(sideConfig.classifier),
    close: async () => {
      await setup.classifier.close?.();
      await setup.local?.close();
    },
  };
}

/** `mailroom eval --compare A B [DIR]`: both summaries side by side, then what changed from A to B. */
/** How a labeled folder is run for a configuration: as mail of its first mailbox (or "eval"), with its policy and limits. */
function evalOptions(config: Config, classifier: Classifier, redact: ReadonlySet<PiiKind> | null): EvalOptions {
  const mailboxes = mailboxFacts(config);
  const mailbox = mailboxes.all[0]?.name ?? 'eval';
  return {
    classifier,
    policy: policyFrom(config),
    mailbox,
    ownAddresses: mailboxes.ownAddresses(mailbox),
    maxMessageBytes: config.ingest.max_message_bytes,
    maxCleanChars: config.classifier.max_input_chars,
    concurrency: Math.max(4, config.classifier.concurrency),
    redact,
  };
}

async function runComparison(dir: string, specs: [string, string], flags: EvalFlags): Promise<void> {
  const emails = labeledFolder(dir);
  const config = evalConfig(dir, {});
  const logger = createRedactingLogger(config);
  if (!process.env.MAILROOM_LOG_LEVEL) logger.level = 'warn';
  const outcomes: Array<{ side: CompareSide; results: EmailResult[] }> = [];
  try {
    for (const spec of specs) {
      const side = await compareSide(spec, config, logger);
      outcomes.push({ side, results: [] });
      outcomes[outcomes.length - 1]!.results = await runEval(emails, { ...evalOptions(config, side.classifier, side.redact), redactionAgreement: false });
    }
  } finally {
    for (const { side } of outcomes) await side.close();
  }
  const [a, b] = outcomes as [(typeof outcomes)[number], (typeof outcomes)[number]];
  const sideOf = (r: EmailResult): Side => ({
    action: r.action,
    intent: r.intent,
    flags: { payment: r.flags.payment, legal: r.flags.legal },
    latencyMs: r.latencyMs,
    promptTokens: r.error ? null : r.promptTokens,
    completionTokens: r.error ? null : r.completionTokens,
  });
  const byFile = new Map(b.results.map((r) => [r.file, r]));
  const compared: ComparedEmail[] = a.results.map((r) => {
    const other = byFile.get(r.file);
    return {
      id: r.file,
      a: sideOf(r),
      b: other && !other.error ? sideOf(other) : null,
      truth: { action: r.label.expected_action, intent: r.label.prefilter === null ? r.label.intent : null },
    };
  });
  const comparison = compareDecisions(compared);
  const acceptable = { a: new Set(a.results.filter((r) => r.acceptable).map((r) => r.file)), b: new Set(b.results.filter((r) => r.acceptable).map((r) => r.file)) };
  const better = b.results.filter((r) => r.acceptable && !acceptable.a.has(r.file)).map((r) => r.file);
  const worse = a.results.filter((r) => r.acceptable && !acceptable.b.has(r.file)).map((r) => r.file);
  const summaries = { a: summarize(a.results), b: summarize(b.results) };
  if (flags.json) {
    printJsonLine({ type: 'compare', folder: dir, a: { name: a.side.name, summary: summaries.a }, b: { name: b.side.name, summary: summaries.b }, comparison, acceptable: { better, worse } });
    return;
  }
  const lines = [`Mailroom eval --compare of ${dir}: ${emails.length} emails`, `  A = ${a.side.name}`, `  B = ${b.side.name}`, ''];
  lines.push(...sideBySide(summaries.a, summaries.b));
  lines.push('', `Action acceptable for B and not A: ${better.length}${better.length ? ` (${better.slice(0, 10).join(', ')})` : ''}`);
  lines.push(`Action acceptable for A and not B: ${worse.length}${worse.length ? ` (${worse.slice(0, 10).join(', ')})` : ''}`, '');
  lines.push('Agreement of A and B');
  lines.push(...formatComparison(comparison, { a: 'A', b: 'B' }, { truthWord: 'labeled' }));
  process.stdout.write(`${visibleLines(lines.join('\n'))}\n`);
}

/** The figures people look at first, one row each, A and B in two columns. */
function sideBySide(a: EvalSummary, b: EvalSummary): string[] {
  const rate = (r: { hits: number; total: number }) => (r.total === 0 ? '–' : `${((r.hits / r.total) * 100).toFixed(1)}% (${r.hits}/${r.total})`);
  const pr = (s: Score) => `P ${s.precision === null ? '–' : `${(s.precision * 100).toFixed(0)}%`} R ${s.recall === null ? '–' : `${(s.recall * 100).toFixed(0)}%`}`;
  const perEmail = (t: EvalSummary['tokens']) => (t.classified === 0 ? '–' : String(Math.round((t.prompt + t.completion) / t.classified)));
  const rows: Array<[string, string, string]> = [
    ['action acceptable', rate(a.actions.acceptable), rate(b.actions.acceptable)],
    ['action exactly expected', rate(a.actions.exact), rate(b.actions.exact)],
    ['intent right', rate(a.intent.correct), rate(b.intent.correct)],
    ['payment flag', pr(a.flags.payment.combined), pr(b.flags.payment.combined)],
    ['legal flag', pr(a.flags.legal.combined), pr(b.flags.legal.combined)],
    ['flagged mail ticketed', String(a.safety.flaggedTicketed.length), String(b.safety.flaggedTicketed.length)],
    ['support falsely flagged', rate(a.safety.supportFalselyFlagged), rate(b.safety.supportFalselyFlagged)],
    ['not classified', String(a.unclassified), String(b.unclassified)],
    ['tokens per email', perEmail(a.tokens), perEmail(b.tokens)],
  ];
  const width = Math.max(...rows.map((r) => r[1].length), 1) + 3;
  return [`  ${''.padEnd(25)}${'A'.padEnd(width)}B`, ...rows.map(([name, x, y]) => `  ${name.padEnd(25)}${x.padEnd(width)}${y}`)];
}
