import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from '../../db/index.js';
import type { Logger } from '../../util/logger.js';
import { deserializeModel, type LocalModel, type ModelHeader, readModelHeader, seedDigestOf, serializeModel, type TrainingExample, trainLocalModel, versionFrom, versionOf } from './model.js';
import { correctionExamples, historyExamples, labelCount, seedExamples, seedFilesDigest } from './training-data.js';

export interface LocalModelStore {
  /** The model in use: the seed model at least, the mailbox's once it has labels. */
  current(): LocalModel;
  /** Retrains (in a worker thread, so the process keeps answering) when enough new labels arrived. */
  retrainIfDue(): Promise<boolean>;
  /** Retrains now in this thread, saves, and uses the new model (`mailroom model train`). */
  retrainNow(): Promise<LocalModel>;
  /**
   * Labels counted since the model in use was trained (null when it is due whatever the count:
   * trained on another seed, or on more labels than there are now), and whether retrainIfDue would retrain.
   */
  pending(): Promise<{ newLabels: number | null; due: boolean }>;
  close(): Promise<void>;
}

export interface LocalModelOptions {
  /** The model file (classifier.local.path). */
  path: string;
  /** The mailbox's history to learn from; null for commands without a database (triage --dry-run). */
  db: Db | null;
  maxCleanChars: number;
  /** New labels that make a retrain worth it (classifier.local.retrain_after). */
  retrainAfter: number;
  logger: Logger;
  /** The seed model made at build time; default SEED_MODEL_FILE. */
  seedModelFile?: string;
  /** The seed corpus; default training/seed. */
  seedFolder?: string;
}

/**
 * The model of the seed corpus alone, trained once by `npm run build` (scripts/build-assets.ts)
 * beside this module: a new data folder, whose mailbox has taught nothing yet, starts from a copy
 * instead of spending 5–10 s of CPU training the same model again.
 */
export const SEED_MODEL_FILE = fileURLToPath(new URL('./seed-model.bin', import.meta.url));

/**
 * Trains the seed-only model into `file`, unless the file there is already that model. It records
 * the digests of the seed files and of the examples read from them, so the service's start can know
 * the seed's share of a version without reading the seed again (openLocalModel).
 */
export function buildSeedModel(file = SEED_MODEL_FILE, logger?: Logger): boolean {
  const examples = seedExamples(undefined, (problem) => logger?.warn(problem));
  const seed = { files: seedFilesDigest(), examples: seedDigestOf(examples) };
  const current = (model: LocalModel | null) => model?.seed?.files === seed.files && model.seed.examples === seed.examples;
  if (current(loadIfCurrent(file, versionOf(examples), null))) return false;
  save(file, { ...trainLocalModel(examples), seed }, logger ?? null);
  if (!current(loadIfCurrent(file, versionOf(examples), null))) throw new Error(`could not write the seed model to ${file}`);
  return true;
}

/**
 * The local model for this data. With a database (a mailbox that learns) the start reads neither the
 * mailbox's history nor trains in this thread: it takes the saved model and compares the two numbers
 * it was trained on (the seed's digest, the label count) with today's. A retrain that is due (new
 * labels, another seed, labels gone with deleted emails) is done by retrainIfDue, in a worker, while
 * the saved model keeps answering; `mailroom run` asks at once. Without a database: the model of
 * the seed alone, loaded when its file is current, trained and saved otherwise. A corrupt or
 * incompatible file is rebuilt with a warning, never a crash.
 */
export async function openLocalModel(options: LocalModelOptions): Promise<LocalModelStore> {
  const path = resolve(options.path);
  const built = builtSeedModel(options.seedModelFile ?? SEED_MODEL_FILE);
  const seed = seedCorpus(options, built);
  const opened = options.db ? await openForMailbox(options.db, path, built, seed, options.logger) : { model: seedModel(path, built, seed, options.logger, path), trainedAtLabels: 0 };
  let model = opened.model;
  let trainedAtLabels = opened.trainedAtLabels;
  let running: Promise<boolean> | null = null;
  let closed = false;
  const behind = (labels: number) => ({
    newLabels: trainedAtLabels === Number.NEGATIVE_INFINITY ? null : labels - trainedAtLabels,
    due: labels - trainedAtLabels >= options.retrainAfter,
  });

  const retrainIfDue = async (): Promise<boolean> => {
    if (!options.db || closed) return false;
    const labels = await labelCount(options.db);
    if (!behind(labels).due) return false;
    const examples = await allExamples(options);
    const next = { ...(await trainInWorker(examples.all)), trainedOn: { seed: examples.seedDigest, labels } };
    if (closed) return false;
    save(path, next, options.logger);
    model = next;
    trainedAtLabels = labels;
    options.logger.info({ version: next.version, labels: next.counts }, 'local model retrained on the mailbox history');
    return true;
  };

  return {
    current: () => model,
    retrainIfDue() {
      running ??= retrainIfDue().finally(() => (running = null));
      return running;
    },
    async retrainNow() {
      const labels = options.db ? await labelCount(options.db) : 0;
      const examples = await allExamples(options);
      model = train(examples.all, path, options.logger, { seed: examples.seedDigest, labels });
      trainedAtLabels = labels;
      return model;
    },
    async pending() {
      return options.db ? behind(await labelCount(options.db)) : { newLabels: 0, due: false };
    },
    async close() {
      closed = true;
      await running?.catch(() => {});
    },
  };
}

/**
 * The saved model of a mailbox, current when it was trained on this seed and no label went away
 * since; otherwise it still answers and a retrain is due at once (trainedAtLabels −∞). Labels that
 * arrived since its training make it due after classifier.local.retrain_after of them, as they do
 * while the service runs. The label count is read before the file: a label that arrives in between
 * makes a retrain come early, not never.
 */
async function openForMailbox(db: Db, path: string, built: BuiltSeedModel | null, seed: SeedCorpus, logger: Logger): Promise<{ model: LocalModel; trainedAtLabels: number }> {
  const labels = await labelCount(db);
  const saved = loadIfCurrent(path, null, logger);
  // No model of its own (a new folder, a deleted file, a corrupt one): the seed's answers, and the
  // labels there are already are learned at the first check.
  if (!saved) return { model: seedModel(null, built, seed, logger, path), trainedAtLabels: labels > 0 ? Number.NEGATIVE_INFINITY : 0 };
  const from = saved.trainedOn;
  const current = from !== undefined && from.seed === seed.digest && labels >= from.labels;
  return { model: saved, trainedAtLabels: current ? from.labels : Number.NEGATIVE_INFINITY };
}

/**
 * The model of the seed alone: the build's, used from there and not copied (the folder gets a file
 * of its own at the first retrain), or one trained and saved here when the seed files are not those
 * the build's model was made from; a model already saved for exactly this seed is taken as it is
 * (`saved`: null when the caller already read that file).
 */
function seedModel(saved: string | null, built: BuiltSeedModel | null, seed: SeedCorpus, logger: Logger, path: string): LocalModel {
  const version = versionFrom(seed.digest, []);
  const found = (saved ? loadIfCurrent(saved, version, logger) : null) ?? (built?.header.version === version ? built.load() : null);
  return found ?? train(seed.examples(), path, logger, { seed: seed.digest, labels: 0 });
}

async function allExamples(options: LocalModelOptions): Promise<{ all: TrainingExample[]; seedDigest: string }> {
  const seed = readSeed(options);
  return { all: [...seed, ...(await historyOf(options))], seedDigest: seedDigestOf(seed) };
}

async function historyOf(options: LocalModelOptions): Promise<TrainingExample[]> {
  return options.db ? [...(await historyExamples(options.db, options.maxCleanChars)), ...(await correctionExamples(options.db, options.maxCleanChars))] : [];
}

function readSeed(options: LocalModelOptions): TrainingExample[] {
  return seedExamples(options.seedFolder, (problem) => options.logger.warn(problem));
}

interface SeedCorpus {
  digest: string;
  examples(): TrainingExample[];
}

/** The build's seed model: its header says which seed it was made from; the model itself is read only when it is used. */
interface BuiltSeedModel {
  header: ModelHeader;
  load(): LocalModel | null;
}

function builtSeedModel(file: string): BuiltSeedModel | null {
  const header = readModelHeader(file);
  return header && { header, load: () => loadIfCurrent(file, header.version, null) };
}

/**
 * The seed's digest, and its examples when they are needed (a model to train). While the seed files
 * are those the build's seed model was made from, the digest comes from that model and the seed is
 * not read: reading it (every body cleaned) was a few hundred milliseconds of each start.
 */
function seedCorpus(options: LocalModelOptions, built: BuiltSeedModel | null): SeedCorpus {
  let examples: TrainingExample[] | null = null;
  const read = () => (examples ??= readSeed(options));
  const known = built?.header.seed && seedFilesDigest(options.seedFolder) === built.header.seed.files ? built.header.seed.examples : null;
  return { digest: known ?? seedDigestOf(read()), examples: read };
}

/** The model in the file, when it is of this format and (given a version) of that version. */
function loadIfCurrent(path: string, version: string | null, logger: Logger | null): LocalModel | null {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    return null;
  }
  try {
    const model = deserializeModel(bytes);
    return version === null || model.version === version ? model : null;
  } catch (error) {
    logger?.warn({ path }, `the local model file ${path} cannot be read (${(error as Error).message}); rebuilding it from the training data`);
    return null;
  }
}

function train(examples: TrainingExample[], path: string, logger: Logger, trainedOn: LocalModel['trainedOn']): LocalModel {
  const model = { ...trainLocalModel(examples), trainedOn };
  save(path, model, logger);
  return model;
}

/** Written beside and renamed over the old file, so a crash leaves the old model or the new one, never half. */
function save(path: string, model: LocalModel, logger: Logger | null): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    writeSync(fd, serializeModel(model));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temporary, path);
  } catch (error) {
    // The model still works from memory; the next start trains again.
    logger?.warn({ path }, `could not save the local model to ${path}: ${(error as Error).message}`);
  }
}

function trainInWorker(examples: TrainingExample[]): Promise<LocalModel> {
  return new Promise((resolvePromise, reject) => {
    // The worker inherits the process's options (a TypeScript loader when run from source). Passing
    // process.execArgv explicitly instead made Node 24 refuse to start it whenever the process had
    // options a worker may not take (as under its test runner): the retrain failed.
    const worker = new Worker(new URL('./train-worker.js', import.meta.url), { workerData: examples });
    worker.once('message', (bytes: Uint8Array) => resolvePromise(deserializeModel(bytes)));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`the training worker exited with code ${code}`)));
  });
}
