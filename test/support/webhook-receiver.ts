/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests. It records every request and verifies its
 * signature with the `standardwebhooks` package (or svix's `Webhook.verify` with svix-* header
 * names) — never with Mailroom's own code — against each secret it is told about.
 * How it answers is scripted per request through `respond`.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import type { Clock } from '../../src/util/clock.js';

export interface ReceivedRequest {
  index: number;
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  webhookId: string | null;
  signatures: string[];
  /** For each secret in `secrets` at receipt time: did it verify this request? */
  verifiedBy: boolean[];
  /** The error of the first secret that failed, for messages. */
  verifyError: string | null;
}

export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; delayMs?: number }
  /** Never answer: the sender's timeout has to end it. */
  | { hang: true }
  /** Answer only when `release()` is called (for killing the sender while it waits). */
  | { holdUntilReleased: true; status: number };

export interface ReceiverOptions {
  secrets?: string[];
  respond?: (request: ReceivedRequest) => Reply;
  verifier?: 'standardwebhooks' | 'svix';
  /**
   * The sender's clock, when a test moved it: verification then judges the timestamp against that
   * time instead of the real one (the signature itself is checked in full either way).
   */
  clock?: Clock;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  secrets: string[];
  respond: (request: ReceivedRequest) => Reply;
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  /** Answers every held request. */
  release(): void;
  close(): Promise<void>;
}

export const replies = {
  ok: () => (): Reply => ({ status: 200, body: 'ok' }),
  failFirst:
    (n: number) =>
    (r: ReceivedRequest): Reply =>
      r.index < n ? { status: 500, body: 'not yet' } : { status: 204 },
  always: (status: number, headers?: Record<string, string>) => (): Reply => ({ status, ...(headers ? { headers } : {}), body: `status ${status}` }),
  hang: () => (): Reply => ({ hang: true }),
};

export async function startWebhookReceiver(options: ReceiverOptions = {}): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const held: Array<() => void> = [];
  const waiters: Array<() => void> = [];
  const state = { secrets: options.secrets ?? [], respond: options.respond ?? replies.ok() };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request: ReceivedRequest = {
        index: requests.length,
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        webhookId: header(req.headers, 'webhook-id'),
        signatures: (header(req.headers, 'webhook-signature') ?? '').split(' ').filter(Boolean),
        verifiedBy: [],
        verifyError: null,
      };
      for (const secret of state.secrets) {
        const error = verify(options.verifier ?? 'standardwebhooks', secret, body, req.headers, options.clock);
        request.verifiedBy.push(error === null);
        request.verifyError ??= error;
      }
      requests.push(request);
      for (const wake of waiters.splice(0)) wake();
      const reply = state.respond(request);
      if ('hang' in reply) return;
      if ('holdUntilReleased' in reply) {
        held.push(() => res.writeHead(reply.status).end('released'));
        return;
      }
      const send = () => res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    get secrets() {
      return state.secrets;
    },
    set secrets(value: string[]) {
      state.secrets = value;
    },
    get respond() {
      return state.respond;
    },
    set respond(value) {
      state.respond = value;
    },
    async waitForRequests(count, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`receiver got ${requests.length} requests, expected ${count} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(left, 200));
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests.slice(0, count);
    },
    release() {
      for (const answer of held.splice(0)) answer();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** Null when `secret` verifies the request, else the library's error message. */
function verify(kind: 'standardwebhooks' | 'svix', secret: string, body: string, headers: IncomingHttpHeaders, clock?: Clock): string | null {
  const run = () => {
    if (kind === 'svix') {
      // svix-* names only, so the test proves svix's own header handling accepts our values.
      new SvixWebhook(secret).verify(body, {
        'svix-id': header(headers, 'webhook-id') ?? '',
        'svix-timestamp': header(headers, 'webhook-timestamp') ?? '',
        'svix-signature': header(headers, 'webhook-signature') ?? '',
      });
    } else {
      new Webhook(secret).verify(body, { ...(headers as Record<string, string>) });
    }
  };
  try {
    if (clock) withDateNow(clock.now().getTime(), run);
    else run();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Both libraries read Date.now() for the tolerance window; verify is synchronous, so this is contained. */
function withDateNow(ms: number, fn: () => void): void {
  const real = Date.now;
  Date.now = () => ms;
  try {
    fn();
  } finally {
    Date.now = real;
  }
}
