/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 for tests: answers like a real model
 * would (per response_format mode, with usage and optional logprobs) and misbehaves on request:
 * slow answers, 429 with Retry-After, 5xx, 401, 404, connection resets, non-JSON content, JSON that
 * violates the schema, servers that refuse json_schema, going down and coming back on the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ChatMessage {
  role: string;
  content: string | null;
}

export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  logprobs?: boolean;
  response_format?: { type: 'json_schema' | 'json_object' | 'text'; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  [key: string]: unknown;
}

/** What the model "says": an object is sent as JSON (wrapped in prose and a fence in text mode); a string as is. */
export type FakeAnswer = Record<string, unknown> | string;
export type Responder = (body: ChatRequestBody) => FakeAnswer;

export type Fault =
  /** Wait, then answer (normally, or with `then`). */
  | { type: 'slow'; ms: number; then?: Fault }
  | { type: 'status'; status: number; message?: string; headers?: Record<string, string> }
  /** 429; `retryAfter` goes into Retry-After (seconds or an HTTP date), `retryAfterMs` into retry-after-ms. */
  | { type: 'rate-limit'; retryAfter?: number | string; retryAfterMs?: number }
  /** Destroy the socket without answering (ECONNRESET at the client). */
  | { type: 'reset' }
  /** Answer with this content verbatim (e.g. not JSON). */
  | { type: 'content'; content: string }
  /** Answer with this value (e.g. JSON violating the schema). */
  | { type: 'answer'; value: FakeAnswer }
  /** Answer normally. */
  | { type: 'pass' };

export interface FakeOpenAIServerOptions {
  responder?: Responder;
  /** Latency of every answer, in ms. */
  delayMs?: number;
  /** Modes answered with a 400 the way real servers refuse them. */
  rejectModes?: Array<'json_schema' | 'json_object'>;
  /** Return logprobs when the request asks for them (default true). */
  logprobs?: boolean;
  /** Answer a request with `logprobs: true` with a 400 (servers without logprobs support). */
  rejectLogprobs?: boolean;
  /** Probability given to the tokens of the intent value (default 0.8). */
  intentProbability?: number;
  /** When set, any other bearer token gets a 401. */
  apiKey?: string;
  /** When set, any other model gets a 404 model_not_found. */
  models?: string[];
  /** Model name reported in answers (default: the requested one). */
  reportedModel?: string;
}

export interface RecordedRequest {
  body: ChatRequestBody;
  /** Which fault answered it ('pass' for a normal answer, 'reject' for a mode/logprob/key/model refusal). */
  outcome: string;
  authorization: string | undefined;
}

export interface FakeOpenAIServer {
  /** Base URL including /v1, for classifier.base_url. */
  readonly url: string;
  readonly port: number;
  /** Every chat completion request received, in order. */
  readonly requests: RecordedRequest[];
  readonly totalRequests: number;
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Changes options for the following requests. */
  configure(options: Partial<FakeOpenAIServerOptions>): void;
  /** Queues faults: the next requests get these, in order, then normal answers again. */
  fail(...faults: Fault[]): void;
  /** A fault per request (after the queue is empty); return null to answer normally. */
  setFaults(fn: ((body: ChatRequestBody, index: number) => Fault | null) | null): void;
  resetCounters(): void;
  /** Stops listening and drops every connection; the port stays reserved for up(). */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeOpenAIServer(initial: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  let options: FakeOpenAIServerOptions = { ...initial };
  const requests: RecordedRequest[] = [];
  const queue: Fault[] = [];
  let faultFn: ((body: ChatRequestBody, index: number) => Fault | null) | null = null;
  let inFlight = 0;
  let maxInFlight = 0;
  let chatCount = 0;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: 'fake server crashed', type: 'server_error' } });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function wait(ms: number, res: ServerResponse): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve(!res.destroyed);
      }, ms);
      timers.add(timer);
      res.once('close', () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      });
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/v1/models') {
      const ids = options.models ?? ['gpt-4o-mini'];
      sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake' })) });
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      sendJson(res, 404, { error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' } });
      return;
    }
    const raw = await readBody(req);
    const body = JSON.parse(raw) as ChatRequestBody;
    const index = chatCount++;
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let counted = true;
    const done = () => {
      if (counted) {
        counted = false;
        inFlight--;
      }
    };
    res.once('close', done);
    res.once('finish', done);

    const record: RecordedRequest = { body, outcome: 'pass', authorization: req.headers.authorization };
    requests.push(record);

    const refusal = refuse(body, req.headers.authorization);
    if (refusal) {
      record.outcome = 'reject';
      if (options.delayMs && !(await wait(options.delayMs, res))) return;
      sendJson(res, refusal.status, refusal.body);
      return;
    }

    let fault: Fault | null = queue.shift() ?? faultFn?.(body, index) ?? null;
    record.outcome = fault?.type ?? 'pass';
    if (options.delayMs && !(await wait(options.delayMs, res))) return;
    while (fault?.type === 'slow') {
      if (!(await wait(fault.ms, res))) return;
      fault = fault.then ?? null;
    }
    switch (fault?.type) {
      case 'reset':
        req.socket.destroy();
        return;
      case 'status':
        sendJson(res, fault.status, { error: { message: fault.message ?? defaultMessage(fault.status), type: fault.status >= 500 ? 'server_error' : 'invalid_request_error' } }, fault.headers);
        return;
      case 'rate-limit': {
        const headers: Record<string, string> = {};
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        sendJson(res, 429, { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } }, headers);
        return;
      }
      case 'content':
        answer(res, body, fault.content);
        return;
      case 'answer':
        answer(res, body, render(body, fault.value));
        return;
      default:
        answer(res, body, render(body, (options.responder ?? plausibleClassification)(body)));
    }
  }

  function refuse(body: ChatRequestBody, authorization: string | undefined): { status: number; body: unknown } | null {
    if (options.apiKey !== undefined && authorization !== `Bearer ${options.apiKey}`) {
      return {
        status: 401,
        body: {
          error: {
            message: 'Incorrect API key provided: sk-wr***ng. You can find your API key at https://platform.openai.com/account/api-keys.',
            type: 'invalid_request_error',
            param: null,
            code: 'invalid_api_key',
          },
        },
      };
    }
    if (options.models && !options.models.includes(body.model)) {
      return {
        status: 404,
        body: {
          error: {
            message: `The model \`${body.model}\` does not exist or you do not have access to it.`,
            type: 'invalid_request_error',
            param: null,
            code: 'model_not_found',
          },
        },
      };
    }
    const mode = body.response_format?.type;
    if ((mode === 'json_schema' || mode === 'json_object') && options.rejectModes?.includes(mode)) {
      return {
        status: 400,
        body: {
          error: {
            message: `Invalid parameter: 'response_format' of type '${mode}' is not supported with this model.`,
            type: 'invalid_request_error',
            param: 'response_format',
            code: null,
          },
        },
      };
    }
    if (body.logprobs && options.rejectLogprobs) {
      return {
        status: 400,
        body: { error: { message: 'logprobs is not supported by this server', type: 'invalid_request_error', param: 'logprobs', code: null } },
      };
    }
    return null;
  }

  function answer(res: ServerResponse, body: ChatRequestBody, content: string): void {
    if (res.destroyed) return;
    const promptChars = body.messages.reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
    const choice: Record<string, unknown> = { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null };
    if (body.logprobs && options.logprobs !== false) choice.logprobs = { content: tokenLogprobs(content, options.intentProbability ?? 0.8), refusal: null };
    sendJson(res, 200, {
      id: `chatcmpl-fake-${chatCount}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: options.reportedModel ?? body.model,
      choices: [choice],
      usage: {
        prompt_tokens: Math.ceil(promptChars / 4),
        completion_tokens: Math.ceil(content.length / 4),
        total_tokens: Math.ceil(promptChars / 4) + Math.ceil(content.length / 4),
      },
    });
  }

  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;

  async function stopListening(): Promise<void> {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const closing = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of sockets) socket.destroy();
    await closing;
  }

  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    get totalRequests() {
      return requests.length;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    configure(next) {
      options = { ...options, ...next };
    },
    fail(...faults) {
      queue.push(...faults);
    },
    setFaults(fn) {
      faultFn = fn;
    },
    resetCounters() {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    async down() {
      if (server.listening) await stopListening();
    },
    async up() {
      if (closed) throw new Error('fake OpenAI server was closed; start a new one');
      if (!server.listening) await listen(server, port);
    },
    async close() {
      closed = true;
      queue.length = 0;
      if (server.listening) await stopListening();
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Incorrect API key provided.';
  if (status === 404) return 'Not found.';
  if (status >= 500) return 'The server had an error while processing your request.';
  return `HTTP ${status}`;
}

/** JSON in json modes; in text mode the way chatty local models answer: prose and a fenced block. */
function render(body: ChatRequestBody, value: FakeAnswer): string {
  if (typeof value === 'string') return value;
  const json = JSON.stringify(value);
  if (body.response_format === undefined || body.response_format.type === 'text') {
    return `Here is the classification of the email:\n\n\`\`\`json\n${json}\n\`\`\`\n`;
  }
  return json;
}

/** Splits content into tokens whose concatenation is the content, like a real tokenizer would. */
function tokenLogprobs(content: string, intentProbability: number) {
  const tokens = content.match(/\s+|[{}[\]":,]|[^\s{}[\]":,]+/g) ?? [];
  const intent = /"intent"\s*:\s*"([^"]*)"/.exec(content);
  const valueStart = intent ? intent.index + intent[0].length - 1 - intent[1]!.length : -1;
  let offset = 0;
  return tokens.map((token) => {
    const isIntentValue = intent !== null && offset === valueStart;
    offset += token.length;
    const logprob = isIntentValue ? Math.log(intentProbability) : -0.0001;
    return { token, logprob, bytes: [...Buffer.from(token)], top_logprobs: [] };
  });
}

/** The fenced email of the first user message (between BEGIN EMAIL <tag> and END EMAIL <tag>), or all of it. */
export function emailTextOf(body: ChatRequestBody): string {
  const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
  const fenced = /BEGIN EMAIL (\S+)\n([\s\S]*?)\nEND EMAIL \1/.exec(user);
  return fenced ? fenced[2]! : user;
}

/** Teams the request's JSON Schema allows, when it sent one. */
export function teamsOf(body: ChatRequestBody): string[] {
  const team = (body.response_format?.json_schema?.schema as { properties?: { team?: { anyOf?: Array<{ enum?: unknown[] }> } } } | undefined)?.properties?.team;
  const values = team?.anyOf?.[0]?.enum;
  if (Array.isArray(values)) return values.filter((v): v is string => typeof v === 'string');
  // Without a schema a model reads the teams from the prompt; so does this fake (a "Teams:" list of - "name").
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  const section = /^Teams:\n((?:- .*\n?)+)/m.exec(system)?.[1] ?? '';
  return [...section.matchAll(/^- "([^"]+)"/gm)].map((m) => m[1]!);
}

/** A plausible classification from the email text, so end-to-end tests get sensible answers. */
export function plausibleClassification(body: ChatRequestBody): Record<string, unknown> {
  const text = emailTextOf(body).toLowerCase();
  const has = (...terms: string[]) => terms.some((term) => text.includes(term));
  const payment = has('refund', 'chargeback', 'rimborso', 'rückerstattung', 'remboursement', 'reembolso');
  const legal = has('lawyer', 'attorney', 'avvocato', 'anwalt', 'avocat', 'abogado', 'gdpr', 'court');
  let intent = 'other';
  let category = 'other';
  let confidence = 0.6;
  if (has('unsubscribe', 'newsletter')) [intent, confidence] = ['newsletter', 0.85];
  else if (has('invoice', 'fattura', 'rechnung', 'facture', 'factura') || payment) [intent, confidence] = ['billing', 0.8];
  else if (has('price', 'quote', 'preventivo', 'angebot', 'devis', 'presupuesto')) [intent, confidence] = ['sales', 0.8];
  else if (
    has('error', 'login', 'log in', 'broken', 'crash', 'bug', "doesn't work", 'not working', 'non funziona', 'errore', 'funktioniert nicht', 'fehler', 'ne fonctionne pas', 'erreur', 'no funciona')
  ) {
    [intent, confidence] = ['support', 0.9];
    category = has('login', 'log in', 'password', 'accesso', 'anmeld', 'connexion', 'sesión') ? 'account' : 'bug';
  }
  const language = has(' non ', 'il ', 'grazie', 'funziona')
    ? 'it'
    : has('nicht', 'bitte', 'danke')
      ? 'de'
      : has(' pas', 'merci', 'bonjour')
        ? 'fr'
        : has('no funciona', 'gracias', 'hola')
          ? 'es'
          : 'en';
  const teams = teamsOf(body);
  const subject = /^Subject: (.*)$/m.exec(emailTextOf(body))?.[1] ?? 'an email';
  return {
    intent,
    category,
    priority: has('urgent', 'urgente', 'dringend', 'asap') ? 'urgent' : 'normal',
    summary: `The sender writes about: ${subject}`.slice(0, 300),
    language,
    flags: { payment, legal },
    sentiment: has('angry', 'unacceptable', 'inaccettabile') ? 'negative' : 'neutral',
    team: intent === 'support' && teams.length > 0 ? teams[0]! : null,
    confidence,
  };
}
