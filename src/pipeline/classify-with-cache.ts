import type { ClassificationResult } from '../classify/classification.js';
import type { Classifier } from '../classify/classifier.js';
import { classifierInputHash } from '../classify/prompt.js';
import type { DbOrTx } from '../db/database.js';
import type { ParsedEmail } from '../parse/parsed-email.js';
import { findCachedClassification } from './sql/find-cached-classification.js';

export interface CachedClassification {
  result: ClassificationResult;
  inputHash: string;
  /** Id of the classification reused, when the answer came from the cache. */
  cachedFrom: string | null;
}

/**
 * Classifies through the content-hash cache: the same input under the same prompt version is
 * answered from the database, so a re-run or a duplicate email makes no model call.
 */
export async function classifyWithCache(
  db: DbOrTx,
  classifier: Classifier,
  email: ParsedEmail,
  mailbox: string,
  signal?: AbortSignal,
): Promise<CachedClassification> {
  const input = { email, mailbox };
  const inputHash = classifierInputHash(classifier.promptVersion, input);
  const hit = await findCachedClassification(db, inputHash);
  if (hit?.output) {
    return {
      inputHash,
      cachedFrom: hit.id,
      result: {
        classification: hit.output,
        model: hit.model,
        classifier: hit.classifier === 'rules' ? 'rules' : 'openai',
        promptVersion: hit.prompt_version,
        logprobConfidence: hit.logprob_confidence,
        promptTokens: null,
        completionTokens: null,
        latencyMs: 0,
        mode: 'cache',
      },
    };
  }
  return { inputHash, cachedFrom: null, result: await classifier.classify(input, signal) };
}
