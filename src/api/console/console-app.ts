import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiDeps } from '../api-context.js';
import { ASSETS } from './assets.js';
import { type Html, html } from './html.js';
import { ConsoleSessions, LOGIN_COOKIE, randomToken, readCookie, SESSION_COOKIE, type Session, sameSecret, setCookie } from './sessions.js';

/** An answer of the API, as the console sees it. */
export interface ApiAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read by the page that asked, against the API's documented shapes.
  json: any;
  raw: Buffer;
  headers: Record<string, string | string[] | number | undefined>;
}

/** What the server reports it can do, read from its own /openapi.json: the seams for routes added later. */
export interface Capabilities {
  corrections: boolean;
  correctionsLog: boolean;
  /** The name of the subscription body's event-type field and its choices, when the server has one. */
  subscriptionEvents: { field: string; choices: string[] } | null;
}

export type Nav = 'overview' | 'decisions' | 'deliveries' | 'subscriptions';

export interface ConsoleContext {
  deps: ApiDeps;
  /** Calls the API in-process with the session's own token: every page goes through the API's authorization. */
  api(session: Session, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object): Promise<ApiAnswer>;
  capabilities(): Promise<Capabilities>;
  page(reply: FastifyReply, session: Session | null, view: { title: string; nav?: Nav; body: Html; status?: number }): FastifyReply;
  redirect(reply: FastifyReply, session: Session, to: string, flash?: Session['flash']): FastifyReply;
  /** An API refusal shown as a page (or a sign-in when the token stopped working). */
  apiFailure(reply: FastifyReply, session: Session, answer: ApiAnswer, what: string, back?: string): FastifyReply;
}

export type PageHandler = (request: FastifyRequest, reply: FastifyReply, session: Session) => Promise<FastifyReply>;

export interface ConsoleRouter {
  get(path: string, handler: PageHandler): void;
  post(path: string, handler: PageHandler): void;
}

/** Wrong tokens one address may try per window before sign-in answers 429 until the window ends. */
const MAX_FAILED_SIGN_INS = 10;
const SIGN_IN_WINDOW_MS = 10 * 60_000;

const NAV: Array<[Nav, string, string]> = [
  ['overview', '/', 'Overview'],
  ['decisions', '/decisions', 'Decisions'],
  ['deliveries', '/deliveries', 'Deliveries'],
  ['subscriptions', '/subscriptions', 'Subscriptions'],
];

/** Browsers may run only our own files: a script injected through an email's text has nowhere to come from. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function layout(session: Session | null, view: { title: string; nav?: Nav; body: Html }): Html {
  const flash = session?.flash;
  if (session) session.flash = null;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${view.title} · Mailroom</title><link rel="stylesheet" href="${ASSETS.css.path}"></head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><span class="brand">Mailroom</span>
${
  session
    ? html`<nav aria-label="Console">${NAV.map(([key, href, label]) => html`<a href="${href}"${key === view.nav ? html` aria-current="page"` : ''}>${label}</a> `)}</nav>
<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${session.csrf}"><button type="submit">Sign out</button></form>`
    : ''
}
</header>
<main id="main" tabindex="-1">${flash ? html`<p class="flash ${flash.kind}" role="status">${flash.text}</p>` : ''}${view.body}</main>
<script src="${ASSETS.js.path}" defer></script></body></html>`;
}

function message(answer: ApiAnswer): string {
  return typeof answer.json?.message === 'string' ? answer.json.message : `HTTP ${answer.status}`;
}

/** Only a path on this site, so a crafted `next` cannot send a signed-in person elsewhere. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) ? next : '/';
}

export interface ConsoleOptions {
  sessionTtlMs: number;
  idleTimeoutMs: number;
}

/**
 * Registers the console's sign-in, assets and page plumbing on an encapsulated instance, and
 * returns the router the page modules add their routes with.
 */
export function createConsole(root: FastifyInstance, app: FastifyInstance, deps: ApiDeps, options: ConsoleOptions): { ctx: ConsoleContext; router: ConsoleRouter } {
  const sessions = new ConsoleSessions(deps.clock, options.sessionTtlMs, options.idleTimeoutMs);
  const secureCookies = (request: FastifyRequest) => request.protocol === 'https' || (deps.config.api.public_url ?? '').startsWith('https:');
  let capabilities: Promise<Capabilities> | null = null;

  const ctx: ConsoleContext = {
    deps,
    async api(session, method, url, payload) {
      const res = await root.inject({
        method,
        url,
        headers: { authorization: `Bearer ${session.token}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { payload: JSON.stringify(payload) } : {}),
      });
      const isJson = String(res.headers['content-type'] ?? '').startsWith('application/json');
      return { status: res.statusCode, json: isJson && res.body ? res.json() : null, raw: res.rawPayload, headers: res.headers };
    },
    capabilities() {
      capabilities ??= root.inject({ method: 'GET', url: '/openapi.json' }).then((res) => readCapabilities(res.json()));
      return capabilities;
    },
    page(reply, session, view) {
      return reply
        .code(view.status ?? 200)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(layout(session, view).text);
    },
    redirect(reply, session, to, flash) {
      if (flash) session.flash = flash;
      return reply.code(303).header('location', to).send();
    },
    apiFailure(reply, session, answer, what, back = '/') {
      if (answer.status === 401) {
        sessions.destroy(session);
        return reply.code(303).header('location', '/login').send();
      }
      const body = html`<h1>${what}</h1><p class="flash error" role="alert">${message(answer)}</p><p><a href="${back}">Back</a></p>`;
      return ctx.page(reply, session, { title: what, body, status: answer.status === 404 ? 404 : answer.status >= 500 ? 502 : 400 });
    },
  };

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-security-policy', CSP);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'same-origin');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });

  const routeConfig = { auth: 'none' as const, console: true };

  /** With no api.tokens there is nothing to sign in with: the console is closed, as /v1 is. */
  const closed = (reply: FastifyReply) =>
    ctx.page(reply, null, {
      title: 'Console closed',
      status: 401,
      body: html`<h1>The console is closed</h1><p>The API has no tokens configured, so neither /v1 nor the console can be used. Add <code>api.tokens</code> to the configuration (each at least 16 random characters) and restart Mailroom.</p>`,
    });

  const signedIn = (request: FastifyRequest) => sessions.get(readCookie(request, SESSION_COOKIE));

  const router: ConsoleRouter = {
    get(path, handler) {
      app.get(path, { config: routeConfig }, async (request, reply) => {
        if (!deps.tokens.configured) return closed(reply);
        const session = signedIn(request);
        if (!session)
          return reply
            .code(303)
            .header('location', `/login?next=${encodeURIComponent(request.url)}`)
            .send();
        return handler(request, reply, session);
      });
    },
    post(path, handler) {
      app.post(path, { config: routeConfig }, async (request, reply) => {
        if (!deps.tokens.configured) return closed(reply);
        const session = signedIn(request);
        if (!session) return reply.code(303).header('location', '/login').send();
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (!sameSecret(typeof body._csrf === 'string' ? body._csrf : undefined, session.csrf)) {
          return ctx.page(reply, session, {
            title: 'Refused',
            status: 403,
            body: html`<h1>Refused</h1><p class="flash error" role="alert">This form had no valid security token (it may be from an old page or from another site). Nothing was changed: reload the page and try again.</p>`,
          });
        }
        return handler(request, reply, session);
      });
    },
  };

  for (const a of Object.values(ASSETS)) {
    app.get(a.path, { config: routeConfig }, async (request, reply) => {
      reply.header('content-type', a.type).header('cache-control', 'public, max-age=31536000, immutable').header('etag', a.etag).header('vary', 'accept-encoding');
      if (request.headers['if-none-match'] === a.etag) return reply.code(304).send();
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(a.gzip);
      return reply.send(a.body);
    });
  }

  const loginPage = (reply: FastifyReply, next: string, error: string | null, status = 200) => {
    const nonce = randomToken();
    setCookie(reply, LOGIN_COOKIE, nonce, { maxAgeSeconds: 600, secure: secureCookies(reply.request), path: '/login' });
    return ctx.page(reply, null, {
      title: 'Sign in',
      status,
      body: html`<h1>Sign in</h1>
${error ? html`<p class="flash error" role="alert">${error}</p>` : ''}
<form class="stack" method="post" action="/login">
<input type="hidden" name="_csrf" value="${nonce}"><input type="hidden" name="next" value="${next}">
<label for="token">API token <span class="muted">(one of <code>api.tokens</code>)</span></label>
<input id="token" name="token" type="password" autocomplete="current-password" required minlength="16" autofocus>
<button type="submit">Sign in</button></form>
<p class="muted">The token is exchanged for a session cookie and never stored in the browser. Sessions end after ${Math.round(options.sessionTtlMs / 3_600_000)} h, or ${Math.round(options.idleTimeoutMs / 60_000)} min without use.</p>`,
    });
  };

  app.get<{ Querystring: { next?: string } }>('/login', { config: routeConfig }, async (request, reply) => {
    if (!deps.tokens.configured) return closed(reply);
    return loginPage(reply, safeNext(request.query.next), null);
  });

  const failures = new Map<string, { count: number; since: number }>();
  app.post<{ Body: { token?: string; _csrf?: string; next?: string } }>('/login', { config: routeConfig }, async (request, reply) => {
    if (!deps.tokens.configured) return closed(reply);
    const body = request.body ?? {};
    const now = deps.clock.now().getTime();
    const failed = failures.get(request.ip);
    if (failed && now - failed.since >= SIGN_IN_WINDOW_MS) failures.delete(request.ip);
    if (failed && failed.count >= MAX_FAILED_SIGN_INS && now - failed.since < SIGN_IN_WINDOW_MS) {
      const minutes = Math.ceil((SIGN_IN_WINDOW_MS - (now - failed.since)) / 60_000);
      return loginPage(reply, safeNext(body.next), `Too many wrong tokens from this address: try again in ${minutes} min.`, 429);
    }
    const nonce = readCookie(request, LOGIN_COOKIE);
    if (!nonce || !sameSecret(body._csrf, nonce)) return loginPage(reply, safeNext(body.next), 'The sign-in form expired or came from another site: try again.', 403);
    const token = typeof body.token === 'string' ? body.token.trim() : '';
    if (!deps.tokens.check(`Bearer ${token}`)) {
      const entry = failures.get(request.ip) ?? { count: 0, since: now };
      entry.count++;
      failures.set(request.ip, entry);
      // Bounded: a flood from many addresses forgets the oldest rather than growing without end.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
      deps.logger.warn({ ip: request.ip }, 'console sign-in refused: the token is not one of api.tokens');
      return loginPage(reply, safeNext(body.next), 'That token is not one of api.tokens.', 401);
    }
    failures.delete(request.ip);
    const { cookie } = sessions.create(token);
    setCookie(reply, LOGIN_COOKIE, '', { maxAgeSeconds: 0, secure: secureCookies(request), path: '/login' });
    setCookie(reply, SESSION_COOKIE, cookie, { maxAgeSeconds: Math.floor(options.sessionTtlMs / 1000), secure: secureCookies(request) });
    deps.logger.info({ ip: request.ip }, 'console sign-in');
    return reply.code(303).header('location', safeNext(body.next)).send();
  });

  router.post('/logout', async (request, reply, session) => {
    sessions.destroy(session);
    setCookie(reply, SESSION_COOKIE, '', { maxAgeSeconds: 0, secure: secureCookies(request) });
    return reply.code(303).header('location', '/login').send();
  });

  return { ctx, router };
}

interface OpenApiDoc {
  paths?: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, { items?: { enum?: string[] } }> } }> } }>>;
}

export function readCapabilities(doc: OpenApiDoc): Capabilities {
  const paths = doc.paths ?? {};
  const body = paths['/v1/subscriptions']?.post?.requestBody?.content?.['application/json']?.schema?.properties ?? {};
  const field = Object.keys(body).find((name) => /event/i.test(name));
  const choices = field ? (body[field]?.items?.enum ?? []) : [];
  return {
    corrections: Boolean(paths['/v1/emails/{id}/corrections']?.post),
    correctionsLog: Boolean(paths['/v1/corrections']?.get),
    subscriptionEvents: field ? { field, choices: choices.length > 0 ? choices : ['ticket.suggested'] } : null,
  };
}
