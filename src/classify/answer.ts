import type { ClassificationResult } from './classifier.js';

/**
 * Finds the JSON object in a model's answer: the whole content, else a ```json fence, else the
 * first balanced {...} block that parses. Servers without structured output often wrap the
 * object in prose or fences. Throws with a short reason the repair prompt can show the model.
 */
export function extractJsonObject(content: string): unknown {
  const text = content.trim();
  if (text === '') throw new Error('the answer was empty');
  const whole = tryParse(text);
  if (isObject(whole)) return whole;

  for (const match of text.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) {
    const fenced = tryParse(match[1]!.trim());
    if (isObject(fenced)) return fenced;
  }
  for (const block of balancedBlocks(text)) {
    const parsed = tryParse(block);
    if (isObject(parsed)) return parsed;
  }
  throw new Error('the answer contains no JSON object');
}

const NOT_JSON = Symbol('not json');

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function* balancedBlocks(text: string): Generator<string> {
  // A bounded number of starting points keeps a long brace-ridden answer from costing O(n²).
  let tries = 0;
  for (let start = text.indexOf('{'); start >= 0 && tries < 20; start = text.indexOf('{', start + 1), tries++) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') {
        inString = true;
      } else if (ch === '{') {
        depth++;
      } else if (ch === '}') {
        depth--;
        if (depth === 0) {
          yield text.slice(start, i + 1);
          break;
        }
      }
    }
  }
}

export interface TokenLogprob {
  token: string;
  logprob: number;
}

/**
 * Probability the model gave to the intent it wrote: the token logprobs that make up the intent
 * value (e.g. `support` in `"intent":"support"`) summed and exponentiated. Tokens that straddle
 * the value's quotes count too, so the figure is, if anything, a little low. Null when the server
 * sent no logprobs, or when its tokens do not spell out the content (some servers trim or
 * re-encode), because then the value's tokens cannot be located with certainty.
 */
export function intentLogprobConfidence(content: string, intent: string, tokens: readonly TokenLogprob[] | null | undefined): number | null {
  if (!tokens || tokens.length === 0) return null;
  const match = /"intent"\s*:\s*"([^"\\]*)"/.exec(content);
  if (!match || match[1] !== intent) return null;
  const valueEnd = match.index + match[0].length - 1;
  const valueStart = valueEnd - intent.length;

  let offset = 0;
  let sum = 0;
  let counted = 0;
  let spelled = '';
  for (const { token, logprob } of tokens) {
    const end = offset + token.length;
    if (end > valueStart && offset < valueEnd) {
      if (!Number.isFinite(logprob)) return null;
      sum += logprob;
      counted++;
    }
    spelled += token;
    offset = end;
  }
  if (spelled !== content || counted === 0) return null;
  return Math.min(1, Math.max(0, Math.exp(sum)));
}

/**
 * The confidence `policy.threshold` applies to: the LOWER of the model's own figure and the
 * logprob-derived one, or the model's own figure when the server returned no logprobs.
 *
 * Why the lower one: a model's stated confidence clusters at round values (0.9, 0.95) and says
 * little, while token probabilities at temperature 0 are often near 1 even when the model itself
 * writes 0.4. A ticket is only suggested when both readings clear the threshold, which keeps
 * suggestions conservative; both numbers are stored so the choice can be revisited with data.
 */
export function decisionConfidence(result: Pick<ClassificationResult, 'classification' | 'logprobConfidence'>): number {
  const own = result.classification.confidence;
  return result.logprobConfidence === null ? own : Math.min(own, result.logprobConfidence);
}
