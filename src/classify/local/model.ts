import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { CATEGORIES, INTENTS, PRIORITIES } from '../../contract/index.js';
import { inverseDocumentFrequency, type SparseVector, termCounts, weigh } from './features.js';
import { averageWeights, type Example, fitTemperature, logits, type SoftmaxWeights, seeded, softmaxInto, type TrainOptions, trainSoftmax } from './softmax.js';

/** Bumped when features, heads or the file layout change: a model of another format is rebuilt. */
export const MODEL_FORMAT = 4;
const DIMS = 2 ** 17;
const TRAINING: TrainOptions = { epochs: 2, learningRate: 0.5, l2: 1e-6, seed: 1 };
const FOLDS = 3;
/**
 * Draws which held-out fold each example falls in. It was the file format number once, so a new file
 * layout (format 4) redrew the folds and moved the calibration and the figures measured on eval/:
 * the layout of the file must not change the model.
 */
const FOLD_SEED = 3;

/** What the model predicts, one softmax per question (payment and legal are yes/no). */
export const HEADS = { intent: INTENTS, category: CATEGORIES, priority: PRIORITIES, payment: ['no', 'yes'], legal: ['no', 'yes'] } as const;
export type HeadName = keyof typeof HEADS;
const CALIBRATED = new Set<HeadName>(['intent', 'payment', 'legal']);

/** One labeled email as the model learns from it. A label may leave a head out (undefined). */
export interface TrainingExample {
  subject: string;
  /** The cleaned newest message (parse's newestText). */
  text: string;
  language: string;
  labels: { intent?: string; category?: string; priority?: string; payment?: boolean; legal?: boolean };
  /** How much it counts: an LLM's label 1, a person's correction much more. */
  weight: number;
  source: string;
}

export interface Head extends SoftmaxWeights {
  /** Calibrates the probabilities (fitted on held-out predictions). */
  temperature: number;
}

export interface LocalModel {
  format: number;
  /** Stable hash of everything the model was made from: stored with each classification it makes. */
  version: string;
  trainedAt: string;
  counts: Record<string, number>;
  idf: Float32Array;
  heads: Record<HeadName, Head>;
  /** Measured out of fold: every example by a model it did not train. */
  heldOut: HeldOutScore;
  /**
   * The build's seed model only: the digest of the seed files' bytes it was read from, and of the
   * examples read (seedDigestOf). While the files are the same, the examples need not be read again.
   */
  seed?: { files: string; examples: string };
  /**
   * A mailbox's model only: the digest of the seed examples it was trained with (seedDigestOf) and
   * how many labels the mailbox had counted when its history was read (labelCount). A start compares
   * these two numbers with today's instead of reading the whole history to recompute `version`.
   */
  trainedOn?: { seed: string; labels: number };
}

export interface HeldOutScore {
  /** Examples of each source that were scored (each by the fold model that did not see it). */
  examples: Record<string, number>;
  /** Out-of-fold intent accuracy per source, per language and per intent. */
  accuracy: { bySource: Record<string, number>; byLanguage: Record<string, number>; byIntent: Record<string, number> };
  /** Of the mailbox's own held-out labels (not the seed): how often "support" was right. */
  mailboxSupportPrecision: number | null;
  mailboxLabels: number;
}

export interface Prediction {
  intent: { label: string; probability: number };
  category: { label: string; probability: number };
  priority: { label: string; probability: number };
  /** Probability that money is at stake / that it is a legal matter. */
  payment: number;
  legal: number;
  /** Probability of the `billing` intent: a second way the model says money is the matter. */
  billing: number;
}

/**
 * The intent and the flags are each the average of FOLDS models, each trained without one fold of the examples. The
 * average is steadier than one model (one pass order can tip a borderline class either way: ±1.5
 * points on eval/dev between seeds) and, the models being linear, averaging their weights is
 * averaging their logits, so it costs nothing at prediction time. Each example was left out of one
 * model, whose answer on it is honest: those out-of-fold answers fit the temperatures and score
 * the model (per source, per language, and the precision of "support" on the mailbox's own labels,
 * which decides whether it may suggest tickets on its own).
 */
export function trainLocalModel(examples: readonly TrainingExample[], now: Date = new Date()): LocalModel {
  const counts = examples.map((e) => termCounts(e.subject, e.text, DIMS));
  const idf = inverseDocumentFrequency(counts, DIMS);
  const vectors = counts.map((c) => weigh(c, idf));
  const random = seeded(FOLD_SEED);
  const fold = examples.map(() => Math.floor(random() * FOLDS));
  const heads = {} as Record<HeadName, Head>;
  let intentAnswers: Map<number, number> | null = null;
  for (const head of Object.keys(HEADS) as HeadName[]) {
    // Only the probabilities something is compared with (the ticket threshold, the flags) need the
    // folds' honest answers; the other heads are one model on everything, at half the cost.
    if (!CALIBRATED.has(head)) {
      heads[head] = {
        ...trainSoftmax(
          headExamples(examples, vectors, head, () => true),
          HEADS[head].length,
          DIMS,
          TRAINING,
        ),
        temperature: 1,
      };
      continue;
    }
    const members = Array.from({ length: FOLDS }, (_, f) =>
      trainSoftmax(
        headExamples(examples, vectors, head, (i) => fold[i] !== f),
        HEADS[head].length,
        DIMS,
        { ...TRAINING, seed: TRAINING.seed + f },
      ),
    );
    const outOfFold = headExamples(examples, vectors, head, () => true).map((e) => ({ index: e.index, logits: logits(members[fold[e.index]!]!, e.vector), label: e.label }));
    if (head === 'intent') intentAnswers = new Map(outOfFold.map((o) => [o.index, argmax(o.logits)]));
    heads[head] = { ...averageWeights(members), temperature: fitTemperature(outOfFold) };
  }
  return {
    format: MODEL_FORMAT,
    version: versionOf(examples),
    trainedAt: now.toISOString(),
    counts: countBy(examples, (e) => e.source),
    idf,
    heads,
    heldOut: scoreHeldOut(examples, intentAnswers!),
  };
}

export function predict(model: LocalModel, subject: string, text: string): Prediction {
  const vector = weigh(termCounts(subject, text, DIMS), model.idf);
  const best = (head: HeadName, p = probabilities(model.heads[head], vector)) => {
    let k = 0;
    for (let j = 1; j < p.length; j++) if (p[j]! > p[k]!) k = j;
    return { label: HEADS[head][k]!, probability: p[k]! };
  };
  const intents = probabilities(model.heads.intent, vector);
  return {
    intent: best('intent', intents),
    billing: intents[HEADS.intent.indexOf('billing')]!,
    category: best('category'),
    priority: best('priority'),
    payment: probabilities(model.heads.payment, vector)[1]!,
    legal: probabilities(model.heads.legal, vector)[1]!,
  };
}

function probabilities(head: Head, vector: SparseVector): Float64Array {
  return softmaxInto(logits(head, vector), new Float64Array(head.classes), head.temperature);
}

function headExamples(examples: readonly TrainingExample[], vectors: readonly SparseVector[], head: HeadName, keep: (i: number) => boolean): Array<Example & { index: number }> {
  const classes: readonly string[] = HEADS[head];
  return examples.flatMap((e, i) => {
    const value = e.labels[head];
    if (value === undefined || !keep(i)) return [];
    const label = typeof value === 'boolean' ? (value ? 1 : 0) : classes.indexOf(value);
    return label < 0 ? [] : [{ vector: vectors[i]!, label, weight: e.weight, index: i }];
  });
}

/** Scores the out-of-fold intent answers: each example as predicted by the model that did not see it. */
function scoreHeldOut(examples: readonly TrainingExample[], said: ReadonlyMap<number, number>): HeldOutScore {
  const scored = [...said.keys()];
  const right = (i: number) => HEADS.intent[said.get(i)!] === examples[i]!.labels.intent;
  const accuracy = (key: (e: TrainingExample) => string) => {
    const groups = new Map<string, number[]>();
    for (const i of scored) groups.set(key(examples[i]!), [...(groups.get(key(examples[i]!)) ?? []), i]);
    return Object.fromEntries([...groups].map(([k, items]) => [k, items.filter(right).length / items.length]));
  };
  const mailbox = scored.filter((i) => examples[i]!.source !== 'seed');
  const supportSaid = mailbox.filter((i) => HEADS.intent[said.get(i)!] === 'support');
  return {
    examples: countBy(
      scored.map((i) => examples[i]!),
      (e) => e.source,
    ),
    accuracy: { bySource: accuracy((e) => e.source), byLanguage: accuracy((e) => e.language), byIntent: accuracy((e) => e.labels.intent!) },
    mailboxSupportPrecision: supportSaid.length === 0 ? null : supportSaid.filter(right).length / supportSaid.length,
    mailboxLabels: mailbox.length,
  };
}

function argmax(values: Float64Array): number {
  let k = 0;
  for (let j = 1; j < values.length; j++) if (values[j]! > values[k]!) k = j;
  return k;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/**
 * The same examples (in the same order, with the same labels) always give the same version. The
 * leading seed examples count through their digest, so a process that knows the seed's digest
 * without reading the seed (the build records it in the seed model) can tell whether a saved model
 * is current: versionFrom(that digest, the mailbox's labels).
 */
export function versionOf(examples: readonly TrainingExample[]): string {
  let seed = 0;
  while (seed < examples.length && examples[seed]!.source === 'seed') seed++;
  return versionFrom(seedDigestOf(examples.slice(0, seed)), examples.slice(seed));
}

export function versionFrom(seedDigest: string, rest: readonly TrainingExample[]): string {
  const hash = createHash('sha256').update(`format ${MODEL_FORMAT} dims ${DIMS} training ${JSON.stringify(TRAINING)}\nseed ${seedDigest}\n`);
  for (const e of rest) hash.update(exampleLine(e));
  return `lm-${hash.digest('hex').slice(0, 12)}`;
}

export function seedDigestOf(examples: readonly TrainingExample[]): string {
  const hash = createHash('sha256');
  for (const e of examples) hash.update(exampleLine(e));
  return hash.digest('hex');
}

function exampleLine(e: TrainingExample): string {
  return `${JSON.stringify([e.subject, e.text, e.labels, e.weight])}\n`;
}

/**
 * The model as a file: a small JSON header, then its float arrays as raw bytes. Loading reads the
 * file once into one buffer and the arrays are views into it: no 18 MB JSON string, no base64
 * copies. Those short-lived copies made the C allocator keep ~40 MB it never gave back (glibc
 * raises its mmap threshold after freeing a large block), most of a running service's excess.
 *
 * Layout: uint32 LE header length, the UTF-8 JSON header, zero padding to a multiple of 4, then
 * float32 arrays in the machine's byte order (recorded in the header): idf, then each head's bias
 * and weights in the order of HEADS.
 */
export function serializeModel(model: LocalModel): Buffer {
  const heads = Object.fromEntries(
    (Object.keys(HEADS) as HeadName[]).map((name) => [name, { classes: model.heads[name].classes, dims: model.heads[name].dims, temperature: model.heads[name].temperature }]),
  );
  const { idf: _idf, heads: _heads, ...rest } = model;
  const header = Buffer.from(JSON.stringify({ ...rest, heads, byteOrder: endianness() }), 'utf8');
  const start = align4(4 + header.length);
  const arrays = [model.idf, ...(Object.keys(HEADS) as HeadName[]).flatMap((name) => [model.heads[name].bias, model.heads[name].weights])];
  const out = Buffer.alloc(start + arrays.reduce((sum, a) => sum + a.byteLength, 0));
  out.writeUInt32LE(header.length, 0);
  header.copy(out, 4);
  let at = start;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += a.byteLength;
  }
  return out;
}

/** What a model file says of itself, read without its arrays. */
export type ModelHeader = Omit<LocalModel, 'idf' | 'heads'>;

/**
 * The header of the model file at `path` (version, seed and training digests, counts) without
 * reading its 13 MB of arrays; null when there is no such file or it is not a model of this format.
 */
export function readModelHeader(path: string): ModelHeader | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const prefix = Buffer.alloc(4);
    if (readSync(fd, prefix, 0, 4, 0) < 4) return null;
    const header = Buffer.alloc(Math.min(prefix.readUInt32LE(0), 1 << 20));
    if (readSync(fd, header, 0, header.length, 4) < header.length) return null;
    const raw = JSON.parse(header.toString('utf8')) as ModelHeader & { byteOrder?: string };
    return raw.format === MODEL_FORMAT && raw.byteOrder === endianness() ? raw : null;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The model back from its file; throws when the file is not a model of this format (it is then rebuilt). */
export function deserializeModel(file: Uint8Array): LocalModel {
  // Float32Array views need a 4-aligned offset; a small buffer from Node's pool may not have one.
  const bytes = file.byteOffset % 4 === 0 ? file : new Uint8Array(file);
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 4 || view.readUInt32LE(0) > view.length - 4) throw new Error('not a model file (no header)');
  const headerLength = view.readUInt32LE(0);
  let raw: Omit<LocalModel, 'idf' | 'heads'> & { heads: Record<string, Omit<Head, 'bias' | 'weights'>>; byteOrder?: string };
  try {
    raw = JSON.parse(view.toString('utf8', 4, 4 + headerLength));
  } catch {
    throw new Error('not a model file (unreadable header)');
  }
  if (raw.format !== MODEL_FORMAT) throw new Error(`model format ${raw.format}, expected ${MODEL_FORMAT}`);
  if (raw.byteOrder !== endianness()) throw new Error(`model written on a ${raw.byteOrder} machine`);
  let at = bytes.byteOffset + align4(4 + headerLength);
  const floats = (length: number) => {
    if (at + length * 4 > bytes.byteOffset + bytes.byteLength) throw new Error('model arrays have the wrong size');
    const array = new Float32Array(bytes.buffer, at, length);
    at += length * 4;
    return array;
  };
  const idf = floats(DIMS);
  const heads = {} as Record<HeadName, Head>;
  for (const name of Object.keys(HEADS) as HeadName[]) {
    const h = raw.heads[name];
    if (!h || h.classes !== HEADS[name].length || h.dims !== DIMS) throw new Error(`model head ${name} is missing or of another shape`);
    heads[name] = { classes: h.classes, dims: h.dims, temperature: h.temperature, bias: floats(h.classes), weights: floats(h.classes * h.dims) };
  }
  if (at !== bytes.byteOffset + bytes.byteLength) throw new Error('model arrays have the wrong size');
  const { byteOrder: _byteOrder, heads: _heads, ...rest } = raw;
  return { ...rest, idf, heads };
}

function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}
