import type { ClassificationResult } from './classification.js';

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
