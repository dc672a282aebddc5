import type { ConsoleContext, ConsoleRouter } from './console-app.js';
import { type Html, html, query, time } from './html.js';

const PAGE_SIZE = 50;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const STATUSES = ['pending', 'delivered', 'failed'] as const;

interface Attempt {
  attempt: number;
  started_at: string;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

export interface Delivery {
  id: string;
  webhook_id: string;
  event_type: string;
  email_id: string | null;
  subscription_id: string;
  url: string;
  status: string;
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_latency_ms: number | null;
  last_error: string | null;
  created_at: string;
  attempts_log?: Attempt[];
}

type Filters = Partial<Record<'status' | 'subscription_id' | 'event_type' | 'from' | 'to' | 'cursor', string>>;

function attemptsTable(attempts: Attempt[]): Html {
  if (attempts.length === 0) return html`<span class="muted">no attempt yet</span>`;
  return html`<details><summary>${attempts.length} attempt${attempts.length === 1 ? '' : 's'}</summary><table>
<thead><tr><th scope="col">#</th><th scope="col">When</th><th scope="col">HTTP</th><th scope="col">Latency</th><th scope="col">Error</th></tr></thead>
<tbody>${attempts.map(
    (a) => html`<tr><td>${a.attempt}</td><td>${time(a.started_at)}</td><td>${a.status_code ?? '–'}</td><td>${a.latency_ms} ms</td><td>${a.error ?? ''}</td></tr>`,
  )}</tbody></table></details>`;
}

/** The execution log's rows; the email page shows the same rows with every attempt. */
export function deliveryRows(deliveries: Delivery[], options: { attempts?: boolean } = {}): Html {
  return html`<div class="scroll"><table class="rows">
<thead><tr><th scope="col">Created</th><th scope="col">Status</th><th scope="col">Subscription</th><th scope="col">Event</th><th scope="col">Attempts</th><th scope="col">Last HTTP</th><th scope="col">Latency</th><th scope="col">Next attempt</th><th scope="col">Action</th></tr></thead>
<tbody>${deliveries.map(
    (d) => html`<tr>
<td data-label="Created">${time(d.created_at)}</td>
<td data-label="Status"><span class="badge ${d.status}">${d.status}</span>${d.last_error ? html`<br><span class="muted">${d.last_error}</span>` : ''}</td>
<td data-label="Subscription">${d.url}<br><span class="muted">${d.subscription_id}</span></td>
<td data-label="Event">${d.event_type}${d.email_id ? html`<br><a href="/emails/${encodeURIComponent(d.email_id)}">email</a>` : ''}</td>
<td data-label="Attempts">${options.attempts && d.attempts_log ? attemptsTable(d.attempts_log) : d.attempts}</td>
<td data-label="Last HTTP">${d.last_status_code ?? '–'}</td>
<td data-label="Latency">${d.last_latency_ms === null ? '–' : `${d.last_latency_ms} ms`}</td>
<td data-label="Next attempt">${time(d.next_attempt_at)}</td>
<td data-label="Action"><a href="/deliveries/${encodeURIComponent(d.id)}/replay">Replay…</a></td></tr>`,
  )}</tbody></table></div>`;
}

function apiQuery(f: Filters): string {
  const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
  return query({
    limit: PAGE_SIZE,
    status: f.status,
    subscription_id: f.subscription_id,
    event_type: f.event_type,
    since: f.from && DAY.test(f.from) ? `${f.from}T00:00:00Z` : undefined,
    until: f.to && DAY.test(f.to) ? nextDay(f.to) : undefined,
    cursor: f.cursor,
  });
}

export function registerDeliveryPages(router: ConsoleRouter, ctx: ConsoleContext): void {
  router.get('/deliveries', async (request, reply, session) => {
    const f = request.query as Filters;
    const [answer, subs] = await Promise.all([ctx.api(session, 'GET', `/v1/deliveries${apiQuery(f)}`), ctx.api(session, 'GET', '/v1/subscriptions')]);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Deliveries', '/deliveries');
    const { data, next_cursor: next } = answer.json as { data: Delivery[]; next_cursor: string | null };
    const subscriptions = (subs.json?.data ?? []) as Array<{ id: string; url: string }>;
    const { cursor, ...rest } = f;
    const weekAgo = new Date(ctx.deps.clock.now().getTime() - 7 * 86_400_000).toISOString().slice(0, 10);
    const body = html`<h1>Deliveries</h1>
<form class="filters" method="get" action="/deliveries" role="search" aria-label="Filter deliveries">
<label>Status<select name="status"><option value="">any</option>${STATUSES.map((s) => html`<option${s === f.status ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>Subscription<select name="subscription_id"><option value="">any</option>${subscriptions.map(
      (s) => html`<option value="${s.id}"${s.id === f.subscription_id ? html` selected` : ''}>${s.url}</option>`,
    )}</select></label>
<label>Event<input name="event_type" value="${f.event_type ?? ''}" placeholder="ticket.suggested" size="14"></label>
<label>From day<input type="date" name="from" value="${f.from ?? ''}"></label>
<label>To day<input type="date" name="to" value="${f.to ?? ''}"></label>
<button type="submit">Filter</button> <a href="/deliveries">Clear</a></form>
<form class="inline" method="get" action="/deliveries/replay-failed"><label for="replay-since">Replay every failed delivery since</label>
<input id="replay-since" type="date" name="since" required value="${weekAgo}"><button type="submit" class="secondary">Review and replay…</button></form>
${data.length === 0 ? html`<p>No deliveries match these filters.</p>` : deliveryRows(data)}
<nav class="pager" aria-label="Pages">${cursor ? html`<a href="/deliveries${query(rest)}">Newest</a>` : ''}${
      next ? html`<a href="/deliveries${query({ ...rest, cursor: next })}" rel="next">Older</a>` : ''
    }</nav>`;
    return ctx.page(reply, session, { title: 'Deliveries', nav: 'deliveries', body });
  });

  router.get('/deliveries/:id/replay', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const answer = await ctx.api(session, 'GET', `/v1/deliveries/${encodeURIComponent(id)}`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Replay', '/deliveries');
    const d = answer.json as Delivery;
    const body = html`<h1>Replay this delivery?</h1>
<p>The same event (webhook-id <code>${d.webhook_id}</code>, same body) is sent again to <strong>${d.url}</strong> now, with a fresh retry schedule. Receivers that deduplicate by webhook-id will see it once.</p>
${deliveryRows([d], { attempts: true })}
<form class="inline" method="post" action="/deliveries/${encodeURIComponent(d.id)}/replay"><input type="hidden" name="_csrf" value="${session.csrf}">
<button type="submit">Replay now</button> <a href="/deliveries">Cancel</a></form>`;
    return ctx.page(reply, session, { title: 'Replay', nav: 'deliveries', body });
  });

  router.post('/deliveries/:id/replay', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const answer = await ctx.api(session, 'POST', `/v1/deliveries/${encodeURIComponent(id)}/replay`);
    if (answer.status === 401) return ctx.apiFailure(reply, session, answer, 'Replay');
    if (answer.status !== 202) return ctx.redirect(reply, session, '/deliveries', { kind: 'error', text: `Not replayed: ${answer.json?.message ?? `HTTP ${answer.status}`}` });
    return ctx.redirect(reply, session, '/deliveries', { kind: 'ok', text: `Delivery ${id} is queued to be sent again now.` });
  });

  router.get('/deliveries/replay-failed', async (request, reply, session) => {
    const since = String((request.query as { since?: string }).since ?? '');
    if (!DAY.test(since)) return ctx.redirect(reply, session, '/deliveries', { kind: 'error', text: 'Pick the day from which failed deliveries are replayed.' });
    const answer = await ctx.api(session, 'GET', `/v1/deliveries${query({ status: 'failed', since: `${since}T00:00:00Z`, limit: 500 })}`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Replay', '/deliveries');
    const failed = answer.json.data as Delivery[];
    const body = html`<h1>Replay every failed delivery since ${since}?</h1>
${
  failed.length === 0
    ? html`<p>No delivery failed since ${since}. Nothing to replay.</p><p><a href="/deliveries">Back to deliveries</a></p>`
    : html`<p>${failed.length}${answer.json.next_cursor ? ' or more' : ''} failed deliver${failed.length === 1 ? 'y' : 'ies'} will be sent again now; those of disabled subscriptions are left alone.</p>
${deliveryRows(failed.slice(0, 20))}${failed.length > 20 ? html`<p class="muted">…and ${failed.length - 20} more.</p>` : ''}
<form class="inline" method="post" action="/deliveries/replay-failed"><input type="hidden" name="_csrf" value="${session.csrf}"><input type="hidden" name="since" value="${since}">
<button type="submit">Replay ${failed.length} now</button> <a href="/deliveries">Cancel</a></form>`
}`;
    return ctx.page(reply, session, { title: 'Replay failed deliveries', nav: 'deliveries', body });
  });

  router.post('/deliveries/replay-failed', async (request, reply, session) => {
    const since = String((request.body as { since?: string }).since ?? '');
    if (!DAY.test(since)) return ctx.redirect(reply, session, '/deliveries', { kind: 'error', text: 'Pick the day from which failed deliveries are replayed.' });
    const answer = await ctx.api(session, 'POST', '/v1/deliveries/replay-failed', { since: `${since}T00:00:00Z` });
    if (answer.status === 401) return ctx.apiFailure(reply, session, answer, 'Replay');
    if (answer.status !== 202) return ctx.redirect(reply, session, '/deliveries', { kind: 'error', text: `Not replayed: ${answer.json?.message ?? `HTTP ${answer.status}`}` });
    const { replayed, skipped_disabled: skipped } = answer.json as { replayed: string[]; skipped_disabled: number };
    const text = `${replayed.length} failed deliver${replayed.length === 1 ? 'y is' : 'ies are'} queued to be sent again now${skipped ? `; ${skipped} of disabled subscriptions left alone` : ''}.`;
    return ctx.redirect(reply, session, '/deliveries', { kind: 'ok', text });
  });
}
