import type { SparseVector } from './features.js';

/**
 * Multinomial logistic regression over sparse hashed features, trained with AdaGrad, one example
 * at a time in a seeded order: the same data gives the same model, bit for bit. Probabilities are
 * calibrated afterwards by a temperature fitted on held-out predictions (see fitTemperature).
 */
export interface SoftmaxWeights {
  classes: number;
  dims: number;
  /** classes × dims, class-major. */
  weights: Float32Array;
  bias: Float32Array;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

/** One example: its features, its class (−1: no label for this head) and how much it counts. */
export interface Example {
  vector: SparseVector;
  label: number;
  weight: number;
}

export function trainSoftmax(examples: readonly Example[], classes: number, dims: number, options: TrainOptions): SoftmaxWeights {
  const model: SoftmaxWeights = { classes, dims, weights: new Float32Array(classes * dims), bias: new Float32Array(classes) };
  const { weights, bias } = model;
  const { learningRate } = options;
  // AdaGrad with one accumulator per feature (shared by the classes): one square root per feature
  // and example instead of one per weight, at the same accuracy on eval/dev.
  const squares = new Float32Array(dims);
  const biasSquares = new Float32Array(classes);
  const labeled = examples.filter((e) => e.label >= 0);
  const order = labeled.map((_, i) => i);
  const random = seeded(options.seed);
  const probabilities = new Float64Array(classes);
  const gradient = new Float64Array(classes);
  let rates = new Float32Array(64);
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const { vector, label, weight } = labeled[i]!;
      const { indices, values } = vector;
      softmaxInto(logits(model, vector), probabilities);
      let g2 = 0;
      for (let k = 0; k < classes; k++) {
        const g = (probabilities[k]! - (k === label ? 1 : 0)) * weight;
        gradient[k] = g;
        g2 += g * g;
        biasSquares[k] = biasSquares[k]! + g * g;
        bias[k] = bias[k]! - (learningRate * g) / (Math.sqrt(biasSquares[k]!) + 1e-8);
      }
      if (rates.length < indices.length) rates = new Float32Array(indices.length * 2);
      for (let j = 0; j < indices.length; j++) {
        const x = values[j]!;
        const s = squares[indices[j]!]! + g2 * x * x;
        squares[indices[j]!] = s;
        rates[j] = (learningRate * x) / (Math.sqrt(s) + 1e-8);
      }
      for (let k = 0; k < classes; k++) {
        const g = gradient[k]!;
        // A class the model already rules out for this example learns next to nothing from it.
        if (Math.abs(g) < 1e-3) continue;
        const row = k * dims;
        for (let j = 0; j < indices.length; j++) {
          const at = row + indices[j]!;
          weights[at] = weights[at]! - g * rates[j]!;
        }
      }
    }
  }
  return model;
}

/** The model whose logits are the mean of the given models' logits (they are linear). */
export function averageWeights(models: readonly SoftmaxWeights[]): SoftmaxWeights {
  const first = models[0]!;
  const weights = new Float32Array(first.weights.length);
  const bias = new Float32Array(first.classes);
  for (const m of models) {
    for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! + m.weights[i]! / models.length;
    for (let k = 0; k < bias.length; k++) bias[k] = bias[k]! + m.bias[k]! / models.length;
  }
  return { classes: first.classes, dims: first.dims, weights, bias };
}

export function logits(model: SoftmaxWeights, vector: SparseVector): Float64Array {
  const { weights, bias, dims } = model;
  const { indices, values } = vector;
  const out = new Float64Array(model.classes);
  for (let k = 0; k < model.classes; k++) {
    let sum = bias[k]!;
    const row = k * dims;
    for (let j = 0; j < indices.length; j++) sum += weights[row + indices[j]!]! * values[j]!;
    out[k] = sum;
  }
  return out;
}

export function softmaxInto(values: Float64Array, out: Float64Array, temperature = 1): Float64Array {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) max = Math.max(max, v / temperature);
  let total = 0;
  for (let k = 0; k < values.length; k++) {
    out[k] = Math.exp(values[k]! / temperature - max);
    total += out[k]!;
  }
  for (let k = 0; k < values.length; k++) out[k] = out[k]! / total;
  return out;
}

/**
 * The temperature that makes held-out probabilities honest (lowest negative log-likelihood): a
 * model trained to fit its data is over-confident, and a confidence compared with
 * policy.threshold must mean what it says.
 */
export function fitTemperature(heldOut: ReadonlyArray<{ logits: Float64Array; label: number }>): number {
  let best = { temperature: 1, loss: Number.POSITIVE_INFINITY };
  for (let t = 0.25; t <= 4.0001; t += 0.05) {
    let loss = 0;
    for (const { logits: values, label } of heldOut) {
      const p = softmaxInto(values, new Float64Array(values.length), t)[label]!;
      loss -= Math.log(Math.max(p, 1e-12));
    }
    if (loss < best.loss) best = { temperature: Math.round(t * 100) / 100, loss };
  }
  return best.temperature;
}

/** Mulberry32: a small seeded generator, so training order (and so the model) is reproducible. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(items: number[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
