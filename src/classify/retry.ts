import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import pRetry from 'p-retry';
import type { Logger } from '../util/logger.js';
import { backoffDelay, retryAfterMs } from '../util/wait.js';
import { ClassifierUnavailableError } from './classifier.js';

/** Where requests go; used to say which setting is wrong. Never holds the key. */
export interface Endpoint {
  baseUrl: string;
  model: string;
}

export interface RetryOptions {
  endpoint: Endpoint;
  /** Retries after the first attempt (`classifier.max_retries`). */
  retries: number;
  /** Per-attempt deadline (`classifier.timeout`), covering the whole answer, body included. */
  timeoutMs: number;
  timer?: Timer;
  /** 0..1; replaced in tests to pin the jitter. */
  random?: () => number;
  /** First backoff step; doubles each retry up to `maxDelayMs`. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /**
   * A server asking for a longer pause than this ends the attempt at once with `retryAfterMs`,
   * so the email waits in the database instead of holding a request slot for minutes.
   */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Admission for each attempt (the process-wide rate limiter). Waiting here does not count
   * against the per-request timeout, and backoff waits happen outside it, so a sleeping retry
   * holds no slot.
   */
  gate?: <R>(run: () => Promise<R>, signal?: AbortSignal) => Promise<R>;
}

/** Thrown by an attempt whose answer did not arrive within the per-request timeout. */
export class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
}

const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 405, 413, 415, 422]);

/**
 * Runs `attempt` with exponential backoff and jitter, honouring `retry-after-ms` / `Retry-After`.
 * Transport failures end as {@link ClassifierUnavailableError} (permanent for 4xx that no retry can
 * fix); any other error an attempt throws passes through unchanged, so callers can react to it.
 */
export async function withRetries<T>(attempt: (signal: AbortSignal) => Promise<T>, options: RetryOptions): Promise<T> {
  const timer = options.timer ?? realTimer;
  const random = options.random ?? Math.random;
  const minDelayMs = options.minDelayMs ?? 1_000;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
  const { signal, endpoint } = options;
  let attempts = 0;
  let stoppedForRetryAfter: number | null = null;

  try {
    return await pRetry(
      async () => {
        const run = () => {
          attempts++;
          return runWithDeadline(attempt, options.timeoutMs, signal);
        };
        return options.gate ? options.gate(run, signal) : run();
      },
      {
        retries: options.retries,
        // p-retry's own sleep cannot be replaced; it waits 0 and our shouldRetry does the waiting
        // through the injectable timer, so tests can read every wait without spending it.
        minTimeout: 0,
        signal,
        shouldRetry: async ({ error, retriesConsumed }) => {
          if (signal?.aborted || !isTransient(error)) return false;
          const asked = retryAfterFromError(error);
          if (asked !== null && asked > maxRetryAfterMs) {
            stoppedForRetryAfter = asked;
            return false;
          }
          const backoff = backoffDelay(retriesConsumed + 1, { minMs: minDelayMs, maxMs: maxDelayMs }, random);
          const delay = Math.max(backoff, asked ?? 0);
          options.logger?.warn(
            { baseUrl: endpoint.baseUrl, model: endpoint.model, attempt: attempts, delayMs: delay, error: describeTransport(error, options.timeoutMs) },
            'classifier request failed; retrying',
          );
          await timer.sleep(delay, signal);
          return true;
        },
      },
    );
  } catch (error) {
    if (signal?.aborted) throw signal.reason ?? error;
    if (!isTransportError(error)) throw error;
    throw toUnavailable(error, { endpoint, attempts, timeoutMs: options.timeoutMs, stoppedForRetryAfter });
  }
}

async function runWithDeadline<T>(attempt: (signal: AbortSignal) => Promise<T>, timeoutMs: number, outer?: AbortSignal): Promise<T> {
  // The SDK's own timeout stops at the response headers; a server that stalls mid-body would hang
  // the slot for ever without this deadline over the whole attempt.
  const controller = new AbortController();
  const deadline = new AttemptTimeoutError(`no complete answer within ${timeoutMs} ms`);
  const timeout = setTimeout(() => controller.abort(deadline), timeoutMs);
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    return await attempt(controller.signal);
  } catch (error) {
    if (controller.signal.reason === deadline && !outer?.aborted) throw deadline;
    throw error;
  } finally {
    clearTimeout(timeout);
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

function isTransportError(error: unknown): boolean {
  return (error instanceof APIError && !(error instanceof APIUserAbortError)) || error instanceof AttemptTimeoutError;
}

function isTransient(error: unknown): boolean {
  if (error instanceof AttemptTimeoutError || error instanceof APIConnectionError) return true;
  if (error instanceof APIUserAbortError || !(error instanceof APIError) || error.status === undefined) return false;
  return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
}

function retryAfterFromError(error: unknown): number | null {
  if (!(error instanceof APIError) || !error.headers) return null;
  return parseRetryAfter(error.headers, Date.now());
}

/**
 * Milliseconds a server asked us to wait: `retry-after-ms` (OpenAI, Azure) first, then
 * `Retry-After` in seconds or as an HTTP date. Null when absent or unreadable.
 */
export function parseRetryAfter(headers: Pick<Headers, 'get'>, nowMs: number): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  return retryAfterMs(headers.get('retry-after'), nowMs);
}

function toUnavailable(error: unknown, context: { endpoint: Endpoint; attempts: number; timeoutMs: number; stoppedForRetryAfter: number | null }): ClassifierUnavailableError {
  const { baseUrl, model } = context.endpoint;
  const retryAfterMs = context.stoppedForRetryAfter ?? retryAfterFromError(error);
  if (error instanceof APIError && error.status !== undefined && PERMANENT_STATUSES.has(error.status)) {
    return new ClassifierUnavailableError(permanentMessage(error, context.endpoint), { permanent: true, cause: error });
  }
  const what = describeTransport(error, context.timeoutMs);
  const tail =
    context.stoppedForRetryAfter !== null
      ? `the server asked to wait ${Math.ceil(context.stoppedForRetryAfter / 1000)} s`
      : `gave up after ${context.attempts} attempt${context.attempts === 1 ? '' : 's'}`;
  return new ClassifierUnavailableError(`model '${model}' at ${baseUrl} unavailable (${what}): ${tail}`, { retryAfterMs, cause: error });
}

function permanentMessage(error: APIError, { baseUrl, model }: Endpoint): string {
  switch (error.status) {
    case 401:
      // The server's own text is left out on purpose: OpenAI echoes part of the key in it.
      return `the API key was refused (401) by ${baseUrl}: check classifier.api_key / OPENAI_API_KEY`;
    case 403:
      return `access denied (403) by ${baseUrl} for model '${model}': check that classifier.api_key may use classifier.model`;
    case 404:
      return `model '${model}' not found (404) at ${baseUrl}: check classifier.model (and that classifier.base_url ends in /v1)`;
    default:
      return `the request was rejected (${error.status}) by ${baseUrl}: ${serverMessage(error)}; check classifier.model and classifier.response_format`;
  }
}

/** The server's error text, shortened; used for 4xx other than 401. */
export function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : error.message;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

function describeTransport(error: unknown, timeoutMs: number): string {
  if (error instanceof AttemptTimeoutError || error instanceof APIConnectionTimeoutError) return `no answer within ${timeoutMs} ms`;
  if (error instanceof APIConnectionError) {
    const code = findErrorCode(error);
    return code ? `connection failed: ${code}` : 'connection failed';
  }
  if (error instanceof APIError && error.status !== undefined) return `HTTP ${error.status}`;
  return error instanceof Error ? error.message : String(error);
}

function findErrorCode(error: unknown): string | null {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    current = current.cause;
  }
  return null;
}

/**
 * Time as the classifier's retry and rate-limit code sees it. Tests inject their own so that
 * backoff waits and rpm windows can be asserted without waiting for them.
 */
export interface Timer {
  /** Milliseconds on a monotonic scale; only differences matter. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realTimer: Timer = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(handle);
        reject(signal?.reason);
      };
      const handle = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
