/**
 * The text an email becomes for the local model: words, word pairs and character 3–5-grams of the
 * subject and the cleaned newest message, hashed into a fixed number of dimensions (the hashing
 * trick: no vocabulary to store, any language, typos and inflections share most of their n-grams).
 * Subject features are kept apart: a subject says more per word than a body.
 */
export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

/** Words, numbers folded to a shape (any digit is 0: "INV-2026-0042" and "INV-2027-0913" look alike). */
function words(text: string): string[] {
  const folded = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/\d/g, '0');
  return folded.match(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?/gu) ?? [];
}

/** FNV-1a, 32 bits: fast, stable across runs and platforms. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Longest text read per email: the head says what the email is about; more costs time, not accuracy. */
const MAX_CHARS = 1500;

/**
 * Raw term counts of an email in hashed dimensions, before weighting: sorted indices and their
 * counts in typed arrays (a few kilobytes per email, where a Map would hold ten times that while
 * thousands of emails are trained on).
 */
export function termCounts(subject: string, body: string, dims: number): SparseVector {
  const counts = new Map<number, number>();
  const add = (feature: string, weight = 1) => {
    const index = hash(feature) % dims;
    counts.set(index, (counts.get(index) ?? 0) + weight);
  };
  for (const [prefix, text] of [
    ['s', subject],
    ['b', body.slice(0, MAX_CHARS)],
  ] as const) {
    const tokens = words(text);
    tokens.forEach((word, i) => {
      add(`${prefix}w:${word}`);
      if (i > 0) add(`${prefix}p:${tokens[i - 1]} ${word}`);
      const padded = ` ${word} `;
      for (let n = 3; n <= 5; n++) for (let k = 0; k + n <= padded.length; k++) add(`c:${padded.slice(k, k + n)}`, 0.5);
    });
  }
  const indices = Uint32Array.from(counts.keys()).sort();
  const values = new Float32Array(indices.length);
  for (let i = 0; i < indices.length; i++) values[i] = counts.get(indices[i]!)!;
  return { indices, values };
}

/** Sublinear term frequency times inverse document frequency, L2-normalised. */
export function weigh(counts: SparseVector, idf: Float32Array): SparseVector {
  const { indices } = counts;
  const values = new Float32Array(indices.length);
  let norm = 0;
  for (let i = 0; i < indices.length; i++) {
    const value = (1 + Math.log(counts.values[i]!)) * (idf[indices[i]!] ?? 1);
    values[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < values.length; j++) values[j] = values[j]! * scale;
  return { indices, values };
}

/** Smoothed inverse document frequency of every dimension over the training documents. */
export function inverseDocumentFrequency(documents: readonly SparseVector[], dims: number): Float32Array {
  const df = new Uint32Array(dims);
  for (const doc of documents) for (const index of doc.indices) df[index] = df[index]! + 1;
  const idf = new Float32Array(dims);
  const n = documents.length;
  for (let d = 0; d < dims; d++) idf[d] = Math.log((1 + n) / (1 + df[d]!)) + 1;
  return idf;
}
