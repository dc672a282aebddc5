/**
 * Figure 8: the local model. Run as its own process (so its memory is its own):
 *
 *   node --import tsx bench/parts/local-model.ts [--examples 5000]   → one JSON line on stdout
 *
 * - training time of `examples` examples: the seed, then mailbox examples (real corpus mail labeled by the seed model,
 *   as an LLM would label it; seed copies when the corpus is absent);
 * - its peak memory while training, prediction time per email (parse excluded), and the memory a
 *   loaded model holds;
 * - learning: trained on the seed and 300 labeled emails of one mailbox (eval/dev, standing in for
 *   300 LLM answers), its agreement with the labels of the next 300 (eval/test, never trained on),
 *   and with the cascade's confidence bar, the share it would answer alone and its agreement there.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { predict, seedExamples, type TrainingExample, trainLocalModel } from '../../src/classify/index.js';
import { configSchema } from '../../src/config/index.js';
import { loadLabeledFolder } from '../../src/eval/index.js';
import { parseEmail } from '../../src/parse/index.js';
import { runPrefilters } from '../../src/prefilter/index.js';
import { loadSourceMessages } from '../support/message-pool.js';

export interface LocalModelResult {
  seedExamples: number;
  /** cpuSeconds: this thread's CPU time, which stays true when other work shares the cores. */
  training: { examples: number; seconds: number; cpuSeconds: number; peakRssMb: number };
  /** modelMb: the arrays a loaded model holds (every head's weights and the idf table). */
  prediction: { emails: number; msPerEmail: number; modelMb: number };
  learning: {
    mailboxLabels: number;
    evaluated: number;
    seedOnlyAgreement: number;
    agreement: number;
    cascade: { confidence: number; share: number; agreement: number | null };
  };
}

export interface Labeled {
  subject: string;
  text: string;
  language: string;
  intent: string;
  payment: boolean;
  legal: boolean;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

/** The mail a person wrote in a labeled folder (no pre-filter kind), in a hash order that mixes the languages; also read by bench/learning-dev.ts. */
export async function labeledEmails(folder: string): Promise<Labeled[]> {
  const out: Labeled[] = [];
  for (const item of loadLabeledFolder(folder)) {
    if (item.label.prefilter !== null) continue;
    const email = await parseEmail(readFileSync(item.path)).catch(() => null);
    if (!email) continue;
    // newestText: what the service trains its history on and predicts on.
    out.push({ subject: email.subject, text: email.newestText, language: item.label.language, intent: item.label.intent, payment: item.label.payment, legal: item.label.legal });
  }
  // One mailbox's arrivals mix the languages; file order would group them.
  return out.sort((a, b) => hashOf(a.subject + a.text) - hashOf(b.subject + b.text));
}

function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function asExample(e: Labeled, source: string): TrainingExample {
  return { subject: e.subject, text: e.text, language: e.language, labels: { intent: e.intent, payment: e.payment, legal: e.legal }, weight: 1, source };
}

/** `extra` mailbox-like examples for the timing: corpus mail the pre-filters let through, labeled by the seed model. */
async function extraExamples(extra: number, seed: readonly TrainingExample[]): Promise<TrainingExample[]> {
  const model = trainLocalModel(seed);
  const out: TrainingExample[] = [];
  for (const source of loadSourceMessages()) {
    if (out.length >= extra) break;
    const email = await parseEmail(source.raw).catch(() => null);
    if (!email || runPrefilters(email, { ownAddresses: [], sizeBytes: source.raw.length, maxMessageBytes: Number.POSITIVE_INFINITY }) !== null) continue;
    const p = predict(model, email.subject, email.newestText);
    out.push({ subject: email.subject, text: email.newestText, language: 'en', labels: { intent: p.intent.label, payment: p.payment >= 0.5, legal: p.legal >= 0.5 }, weight: 1, source: 'llm' });
  }
  for (let i = 0; out.length < extra; i++) out.push({ ...seed[i % seed.length]!, subject: `${seed[i % seed.length]!.subject} (${i})`, source: 'llm' });
  return out;
}

export async function measureLocalModel(options: { examples: number }): Promise<LocalModelResult> {
  const seed = seedExamples();
  const dev = await labeledEmails('eval/dev');
  const test = await labeledEmails('eval/test');
  const cascadeConfidence = configSchema.parse({}).classifier.local.cascade_confidence;

  const extra = await extraExamples(Math.max(0, options.examples - seed.length), seed);
  const many = [...seed, ...extra].slice(0, options.examples);
  const sampler = sampleRss();
  const rssBeforeTraining = process.memoryUsage().rss;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  trainLocalModel(many);
  const cpu = process.cpuUsage(cpuBefore);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = mb((await sampler.stop()) - rssBeforeTraining);

  const seedOnly = trainLocalModel(seed);
  const mailbox = dev.slice(0, 300);
  const learned = trainLocalModel([...seed, ...mailbox.map((e) => asExample(e, 'llm'))]);
  const next = test.slice(0, 300);
  const agree = (model: typeof learned, items: readonly Labeled[]) => items.filter((e) => predict(model, e.subject, e.text).intent.label === e.intent).length / items.length;
  const sure = next.filter((e) => predict(learned, e.subject, e.text).intent.probability >= cascadeConfidence);

  const timed = [...dev, ...test];
  const rounds = 5;
  const t0 = performance.now();
  for (let r = 0; r < rounds; r++) for (const e of timed) predict(learned, e.subject, e.text);
  const msPerEmail = (performance.now() - t0) / (rounds * timed.length);
  return {
    seedExamples: seed.length,
    training: { examples: many.length, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb },
    prediction: { emails: timed.length, msPerEmail, modelMb: modelMb(learned) },
    learning: {
      mailboxLabels: mailbox.length,
      evaluated: next.length,
      seedOnlyAgreement: agree(seedOnly, next),
      agreement: agree(learned, next),
      cascade: { confidence: cascadeConfidence, share: sure.length / next.length, agreement: sure.length === 0 ? null : agree(learned, sure) },
    },
  };
}

/**
 * The highest RSS of this process until stop(), sampled every 10 ms by a worker thread: training
 * blocks the main thread, and the process's lifetime peak (maxRSS) would include earlier steps.
 */
function sampleRss(): { stop(): Promise<number> } {
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     let max = process.memoryUsage.rss();
     const timer = setInterval(() => { max = Math.max(max, process.memoryUsage.rss()); }, 10);
     parentPort.once('message', () => { clearInterval(timer); parentPort.postMessage(max); });`,
    { eval: true },
  );
  return {
    async stop() {
      const peak = new Promise<number>((resolve) => worker.once('message', resolve));
      worker.postMessage('stop');
      const value = await peak;
      await worker.terminate();
      return value;
    },
  };
}

/** The arrays a loaded model holds (weights of every head and the idf table). */
function modelMb(model: ReturnType<typeof trainLocalModel>): number {
  return mb(model.idf.byteLength + Object.values(model.heads).reduce((total, h) => total + h.weights.byteLength + h.bias.byteLength, 0));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { examples: { type: 'string', default: '5000' } } });
  console.log(JSON.stringify(await measureLocalModel({ examples: Number(values.examples) })));
}
