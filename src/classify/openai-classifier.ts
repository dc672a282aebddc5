import OpenAI, { APIError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { Config } from '../config/schema.js';
import { type Classification, classificationSchema } from '../contract/index.js';
import { Redactor } from '../redact/index.js';
import type { Logger } from '../util/logger.js';
import { extractJsonObject, intentLogprobConfidence } from './answer.js';
import { ClassificationFailedError, type ClassificationResult, type Classifier, type ClassifierInput, type FewShotExample } from './classifier.js';
import { type ClassifierPrompt, createPrompt, examplesMessage, JSON_SCHEMA_NAME, repairMessage } from './prompt.js';
import { createRateLimiter, type RateLimiter } from './rate-limiter.js';
import { type Endpoint, realTimer, type Timer, withRetries } from './retry.js';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** How the answer is constrained, strongest first; `auto` walks down this list on refusal. */
export const RESPONSE_MODES = ['json_schema', 'json_object', 'text'] as const;
export type ResponseMode = (typeof RESPONSE_MODES)[number];

export interface OpenAIClassifierOptions {
  config: Config['classifier'];
  logger?: Logger;
  fetch?: typeof fetch;
  /** The key to send; defaults to config.api_key, then OPENAI_API_KEY, then a placeholder (local servers). */
  apiKey?: string;
  /** Share one limiter with other model work in the process (reply drafts); one is made otherwise. */
  limiter?: RateLimiter;
  /** Backoff waits and rpm windows; tests inject a recording timer. */
  timer?: Timer;
  random?: () => number;
  retry?: { minDelayMs?: number; maxDelayMs?: number; maxRetryAfterMs?: number };
  /** The mailbox's corrected emails most like the one classified (createExampleFinder), for the prompt. */
  examples?: (input: ClassifierInput) => Promise<FewShotExample[]>;
}

export interface OpenAIClassifier extends Classifier {
  readonly limiter: RateLimiter;
  /** The response_format mode the next request will use. */
  readonly responseMode: ResponseMode;
}

class FormatRejectedError extends Error {}
class LogprobsRejectedError extends Error {}

export function createOpenAIClassifier(options: OpenAIClassifierOptions): OpenAIClassifier {
  const { config, logger } = options;
  const baseUrl = (config.base_url ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const endpoint: Endpoint = { baseUrl, model: config.model };
  // What this server refused, learned once, so later requests do not spend a call on it again.
  let learnedMode: ResponseMode | null = null;
  let logprobsRefused = false;
  const timer = options.timer ?? realTimer;
  const limiter = options.limiter ?? createRateLimiter({ concurrency: config.concurrency, rpm: config.rpm, timer });
  const prompt: ClassifierPrompt = createPrompt(config);
  const schema = classificationSchema(prompt.teams);
  const client = new OpenAI({
    apiKey: options.apiKey ?? config.api_key ?? process.env.OPENAI_API_KEY ?? 'not-needed',
    baseURL: baseUrl,
    timeout: config.timeout,
    maxRetries: 0,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });

  const currentMode = (): ResponseMode => (config.response_format === 'auto' ? (learnedMode ?? 'json_schema') : config.response_format);

  function requestParams(messages: ChatCompletionMessageParam[], mode: ResponseMode, logprobs: boolean): ChatCompletionCreateParamsNonStreaming {
    const params: ChatCompletionCreateParamsNonStreaming = { model: config.model, messages, temperature: config.temperature };
    if (mode === 'json_schema') {
      params.response_format = { type: 'json_schema', json_schema: { name: JSON_SCHEMA_NAME, strict: true, schema: prompt.jsonSchema } };
    } else if (mode === 'json_object') {
      params.response_format = { type: 'json_object' };
    }
    if (logprobs) params.logprobs = true;
    return params;
  }

  /** One chat completion through limiter, retries and the response-mode fallback. */
  async function complete(messages: ChatCompletionMessageParam[], signal?: AbortSignal): Promise<{ response: ChatCompletion; mode: ResponseMode }> {
    for (;;) {
      const mode = currentMode();
      const logprobs = config.logprobs && !logprobsRefused;
      const params = requestParams(messages, mode, logprobs);
      try {
        const response = await withRetries(
          async (attemptSignal) => {
            try {
              return await client.chat.completions.create(params, { signal: attemptSignal });
            } catch (error) {
              throw recogniseRefusal(error, { mode, logprobs, auto: config.response_format === 'auto' });
            }
          },
          {
            endpoint,
            retries: config.max_retries,
            timeoutMs: config.timeout,
            timer,
            random: options.random,
            ...options.retry,
            signal,
            logger,
            gate: (run, gateSignal) => limiter.run(run, gateSignal),
          },
        );
        return { response, mode };
      } catch (error) {
        if (error instanceof LogprobsRejectedError) {
          logprobsRefused = true;
          logger?.warn({ baseUrl, model: config.model }, "the server refused logprobs; using the model's own confidence");
          continue;
        }
        if (error instanceof FormatRejectedError) {
          const next = RESPONSE_MODES[RESPONSE_MODES.indexOf(mode) + 1] ?? 'text';
          learnedMode = next;
          logger?.warn({ baseUrl, model: config.model, refused: mode, next, reason: error.message }, `the server refused response_format ${mode}; falling back to ${next}`);
          continue;
        }
        throw error;
      }
    }
  }

  function validate(content: string): { ok: true; value: Classification } | { ok: false; error: string } {
    let data: unknown;
    try {
      data = extractJsonObject(content);
    } catch (error) {
      return { ok: false, error: (error as Error).message };
    }
    const parsed = schema.safeParse(data);
    if (parsed.success) return { ok: true, value: parsed.data as Classification };
    const issues = parsed.error.issues.slice(0, 8).map((issue) => `${issue.path.join('.') || '(object)'}: ${issue.message}`);
    return { ok: false, error: issues.join('; ') };
  }

  return {
    name: 'openai',
    promptVersion: prompt.promptVersion,
    limiter,
    get responseMode() {
      return currentMode();
    },

    async prepare(input: ClassifierInput): Promise<ClassifierInput> {
      if (!options.examples || input.examples) return input;
      return { ...input, examples: shownExamples(await options.examples(input), input) };
    },

    async classify(input: ClassifierInput, signal?: AbortSignal): Promise<ClassificationResult> {
      const started = performance.now();
      const prepared = options.examples && !input.examples ? { ...input, examples: shownExamples(await options.examples(input), input) } : input;
      const examples = examplesMessage(prepared.examples);
      const messages: ChatCompletionMessageParam[] = [
        { role: 'system', content: prompt.system },
        ...(examples === null ? [] : [{ role: 'user' as const, content: examples }]),
        { role: 'user', content: prompt.userMessage(prepared) },
      ];
      let promptTokens: number | null = null;
      let completionTokens: number | null = null;
      const count = (response: ChatCompletion) => {
        if (!response.usage) return;
        promptTokens = (promptTokens ?? 0) + response.usage.prompt_tokens;
        completionTokens = (completionTokens ?? 0) + response.usage.completion_tokens;
      };

      let lastError = '';
      let model = config.model;
      for (let round = 0; round < 2; round++) {
        const { response, mode } = await complete(messages, signal);
        count(response);
        model = response.model || config.model;
        const choice = response.choices[0];
        const content = choice?.message.content ?? '';
        const refusal = choice?.message.refusal;
        const checked = content.trim() === '' && refusal ? { ok: false as const, error: `the model refused: ${refusal}` } : validate(content);
        if (checked.ok) {
          const result: ClassificationResult = {
            classification: checked.value,
            model,
            classifier: 'openai',
            promptVersion: prompt.promptVersion,
            logprobConfidence: intentLogprobConfidence(content, checked.value.intent, choice?.logprobs?.content),
            promptTokens,
            completionTokens,
            latencyMs: Math.round(performance.now() - started),
            mode,
          };
          logger?.debug({ messageId: input.email.messageId, model, mode, promptTokens, completionTokens, repaired: round > 0 }, 'classified');
          return result;
        }
        lastError = checked.error;
        // The repair round shows the model its own answer and what is wrong with it.
        messages.push({ role: 'assistant', content: content || '(empty)' }, { role: 'user', content: repairMessage(checked.error) });
      }
      throw new ClassificationFailedError(`model '${model}' gave no valid classification for ${input.email.messageId ?? 'an email without Message-ID'} even after a repair request: ${lastError}`, {
        model,
        promptVersion: prompt.promptVersion,
        promptTokens,
        completionTokens,
      });
    },

    async close() {},
  };
}

/**
 * Turns a 400/422 that says the server does not support what we asked for into a signal to fall
 * back, instead of a permanent failure. Servers word this differently (OpenAI: "Invalid parameter:
 * 'response_format' of type 'json_schema' is not supported with this model"; vLLM, llama.cpp and
 * LM Studio name response_format, json_schema or "structured"), so the match is on those words.
 */
function recogniseRefusal(error: unknown, request: { mode: ResponseMode; logprobs: boolean; auto: boolean }): unknown {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return error;
  const text = `${error.message} ${JSON.stringify(error.error ?? '')}`.toLowerCase();
  if (request.logprobs && /logprob/.test(text)) return new LogprobsRejectedError(error.message);
  if (request.auto && request.mode !== 'text' && /response_format|json_schema|json_object|json schema|structured|schema|grammar/.test(text)) {
    return new FormatRejectedError(error.message);
  }
  return error;
}

/**
 * The corrected examples are other customers' mail: when this email is shown redacted
 * (classifier.redact), so are they, each with its own placeholders.
 */
function shownExamples(examples: FewShotExample[], input: ClassifierInput): FewShotExample[] {
  if (!input.redacted) return examples;
  return examples.map((example) => {
    const redactor = new Redactor();
    return { ...example, messageId: null, from: redactor.text(example.from), subject: redactor.text(example.subject), text: redactor.text(example.text) };
  });
}
