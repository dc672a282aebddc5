import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import { type CheckedUrl, pinnedLookup } from './ssrf-guard.js';

export const USER_AGENT = 'Mailroom-Webhooks/1';
/** Reading more of a response than this only costs memory: nothing in it changes the outcome. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** What the attempt log keeps of a response body. */
export const RESPONSE_HEAD_BYTES = 1024;

export interface PostResult {
  /** Null when no HTTP answer came back (connection refused, timeout, reset). */
  statusCode: number | null;
  headers: IncomingHttpHeaders;
  /** First 1 KiB of the response body, as text. */
  bodyHead: string;
  latencyMs: number;
  /** Why no answer came back; null when one did. */
  error: string | null;
}

export interface WebhookAgents {
  http: http.Agent;
  https: https.Agent;
  destroy(): void;
}

/** Keep-alive agents for one worker: a busy receiver then costs one TLS handshake, not one per event. */
export function createWebhookAgents(): WebhookAgents {
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  return {
    ...agents,
    destroy() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/**
 * One POST, with node's http rather than fetch so the socket goes to the address the SSRF guard
 * checked. Redirects are not followed (a 3xx is returned as it is, and the caller treats it as a
 * failure): following one would send a signed event to a target nobody checked. Never throws.
 */
export function postWebhook(params: { checked: CheckedUrl; headers: Record<string, string>; body: string; timeoutMs: number; agents?: WebhookAgents }): Promise<PostResult> {
  const { checked, body } = params;
  const started = performance.now();
  const isHttps = checked.url.protocol === 'https:';
  const payload = Buffer.from(body, 'utf8');
  return new Promise<PostResult>((resolvePromise) => {
    let settled = false;
    let statusCode: number | null = null;
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      const head = Buffer.concat(chunks).subarray(0, RESPONSE_HEAD_BYTES).toString('utf8');
      resolvePromise({ statusCode, headers, bodyHead: head, latencyMs: Math.round(performance.now() - started), error: statusCode === null ? error : null });
    };
    const request = (isHttps ? https : http).request(checked.url, {
      method: 'POST',
      agent: params.agents ? (isHttps ? params.agents.https : params.agents.http) : false,
      lookup: pinnedLookup(checked) as never,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'content-length': String(payload.length),
        ...params.headers,
      },
    });
    // One deadline for connect, send and the response, unlike `timeout`, which only measures idleness.
    const deadline = setTimeout(() => {
      request.destroy(new Error(`no complete answer within ${params.timeoutMs} ms`));
      finish(`timed out after ${params.timeoutMs} ms`);
    }, params.timeoutMs);
    request.on('error', (error) => finish(describeNetworkError(error)));
    request.on('response', (response) => {
      statusCode = response.statusCode ?? null;
      headers = response.headers;
      response.on('data', (chunk: Buffer) => {
        if (received >= MAX_RESPONSE_BYTES) return;
        const room = MAX_RESPONSE_BYTES - received;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        received += Math.min(chunk.length, room);
        if (received >= MAX_RESPONSE_BYTES) {
          // Enough: the status is known, the rest of a huge body is not worth the memory.
          response.destroy();
          finish(null);
        }
      });
      response.on('end', () => finish(null));
      response.on('close', () => finish(null));
      response.on('error', () => finish(null));
    });
    request.end(payload);
  });
}

function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET') return 'connection reset by the receiver';
  if (code === 'ENOTFOUND') return 'host not found';
  return code ? `${code}: ${error.message}` : error.message;
}
