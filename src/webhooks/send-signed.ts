import { performance } from 'node:perf_hooks';
import { postWebhook, type PostResult, type WebhookAgents } from './post-webhook.js';
import { signWebhook } from './sign-webhook.js';
import { checkWebhookUrl, type UrlPolicy } from './ssrf-guard.js';

/**
 * Guard, sign and POST one message. The URL is checked (and resolved and pinned) on every call,
 * not only when the subscription was added: DNS can change between the two. The timestamp is the
 * time of THIS attempt, so a retry days later is not rejected by the receiver's tolerance window.
 * Never throws: a refused URL or an undecryptable secret comes back as an error result.
 */
export async function sendSigned(params: {
  url: string;
  id: string;
  body: string;
  secrets: () => string[];
  now: () => Date;
  urlPolicy: UrlPolicy;
  timeoutMs: number;
  agents?: WebhookAgents;
}): Promise<PostResult> {
  const started = performance.now();
  try {
    const checked = await checkWebhookUrl(params.url, params.urlPolicy);
    const headers = signWebhook({ id: params.id, timestamp: params.now(), body: params.body, secrets: params.secrets() });
    return await postWebhook({ checked, headers: { ...headers }, body: params.body, timeoutMs: params.timeoutMs, ...(params.agents ? { agents: params.agents } : {}) });
  } catch (error) {
    return { statusCode: null, headers: {}, bodyHead: '', latencyMs: Math.round(performance.now() - started), error: (error as Error).message };
  }
}

/** What went wrong with an answer that is not a 2xx, in words for the attempt log. */
export function describeFailure(result: PostResult): string | null {
  if (result.statusCode === null) return result.error ?? 'no answer';
  if (result.statusCode >= 200 && result.statusCode < 300) return null;
  if (result.statusCode >= 300 && result.statusCode < 400) {
    const location = result.headers.location;
    return `HTTP ${result.statusCode}: redirect${location ? ` to ${location}` : ''} not followed (give the subscription its final URL)`;
  }
  if (result.statusCode === 410) return 'HTTP 410 Gone: the receiver asked for no more events';
  return `HTTP ${result.statusCode}`;
}
