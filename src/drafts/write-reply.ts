import OpenAI from 'openai';
import type { Classification } from '../classify/classification.js';
import { DEFAULT_BASE_URL } from '../classify/openai-classifier.js';
import { createRateLimiter, type RateLimiter } from '../classify/rate-limiter.js';
import { withRetries, type Endpoint } from '../classify/retry.js';
import type { Timer } from '../classify/timer.js';
import type { Config } from '../config/schema.js';
import type { ParsedEmail } from '../parse/parsed-email.js';
import type { Logger } from '../util/logger.js';
import { acknowledgementText } from './acknowledgement-template.js';
import { replyLanguage } from './attribution-line.js';
import { buildReplyPrompt, REPLY_PROMPT_VERSION } from './reply-prompt.js';
import { sanitizeReplyText } from './sanitize-reply-text.js';

export interface WriteReplyInput {
  emailId: string;
  email: ParsedEmail;
  /** The stored classification; null only for emails decided without one. */
  classification: Classification | null;
  /** Payment, legal or VIP mail: the fixed acknowledgement, never model text. */
  acknowledgeOnly: boolean;
}

export interface WrittenReply {
  /** Plain body text, sanitised. */
  text: string;
  /** ISO 639-1 code the reply is written in. */
  language: string;
  /** `template`, or `<model>@<prompt version>` for model text. */
  writer: string;
}

export interface ReplyWriter {
  /**
   * Resolves with the reply text, or rejects with ClassifierUnavailableError (from the shared retry
   * module) when the model cannot be reached: the draft then waits and is tried again later.
   */
  write(input: WriteReplyInput, signal?: AbortSignal): Promise<WrittenReply>;
}

export interface ReplyWriterOptions {
  config: Pick<Config, 'classifier' | 'drafts'>;
  logger?: Logger;
  /** Share the classifier's limiter so replies and classifications respect one rpm budget. */
  limiter?: RateLimiter;
  apiKey?: string;
  timer?: Timer;
  random?: () => number;
  retry?: { minDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  fetch?: typeof fetch;
}

/** The fixed acknowledgement in the email's language (English where Mailroom has no template). */
export function acknowledgementReply(classification: Classification | null): WrittenReply {
  const language = replyLanguage(classification?.language);
  return { text: acknowledgementText(language), language, writer: 'template' };
}

/**
 * Whether a model is configured for reply text: the same rule as the classifier's `auto` choice
 * (an API key or a base_url). Without one every draft is the acknowledgement template.
 */
export function replyModelConfigured(config: Config['classifier'], apiKeyFromEnv = process.env.OPENAI_API_KEY): boolean {
  if (config.provider === 'rules') return false;
  return Boolean(config.api_key?.trim() || apiKeyFromEnv?.trim() || config.base_url);
}

/**
 * Writes reply text with the classifier's model settings (base_url, model, api_key, timeout,
 * retries), through the classifier's rate limiter and retry policy. Flagged mail and setups
 * without a model get the fixed acknowledgement; an empty model answer does too.
 */
export function createReplyWriter(options: ReplyWriterOptions): ReplyWriter {
  const { config, logger } = options;
  const settings = config.classifier;
  if (!replyModelConfigured(settings, options.apiKey ?? process.env.OPENAI_API_KEY)) {
    return { write: async (input) => acknowledgementReply(input.classification) };
  }
  const baseUrl = (settings.base_url ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const endpoint: Endpoint = { baseUrl, model: settings.model };
  const limiter = options.limiter ?? createRateLimiter({ concurrency: settings.concurrency, rpm: settings.rpm, ...(options.timer ? { timer: options.timer } : {}) });
  const client = new OpenAI({
    apiKey: options.apiKey ?? settings.api_key ?? process.env.OPENAI_API_KEY ?? 'not-needed',
    baseURL: baseUrl,
    timeout: settings.timeout,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  return {
    async write(input, signal) {
      if (input.acknowledgeOnly) return acknowledgementReply(input.classification);
      const language = (input.classification?.language ?? 'en').toLowerCase();
      const prompt = buildReplyPrompt({ email: input.email, classification: input.classification, language, instructions: config.drafts.instructions });
      const response = await withRetries(
        (attemptSignal) =>
          client.chat.completions.create(
            {
              model: settings.model,
              messages: [
                { role: 'system', content: prompt.system },
                { role: 'user', content: prompt.user },
              ],
              temperature: settings.temperature,
            },
            { signal: attemptSignal },
          ),
        {
          endpoint,
          retries: settings.max_retries,
          timeoutMs: settings.timeout,
          ...(options.timer ? { timer: options.timer } : {}),
          ...(options.random ? { random: options.random } : {}),
          ...options.retry,
          ...(signal ? { signal } : {}),
          ...(logger ? { logger } : {}),
          gate: (run, gateSignal) => limiter.run(run, gateSignal),
        },
      );
      const text = sanitizeReplyText(response.choices[0]?.message.content ?? '');
      if (text === '') {
        logger?.warn({ email_id: input.emailId, model: settings.model }, 'the model wrote an empty reply; the draft is the acknowledgement template instead');
        return acknowledgementReply(input.classification);
      }
      return { text, language, writer: `${response.model || settings.model}@${REPLY_PROMPT_VERSION}` };
    },
  };
}
