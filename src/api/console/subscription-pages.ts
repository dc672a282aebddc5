import type { FastifyReply } from 'fastify';
import type { Capabilities, ConsoleContext, ConsoleRouter } from './console-app.js';
import { type Html, html, time } from './html.js';
import type { Session } from './sessions.js';

interface Subscription {
  id: string;
  url: string;
  description: string;
  status: 'enabled' | 'disabled';
  disabled_reason: string | null;
  failing_since: string | null;
  previous_secret_until: string | null;
  pending: number;
  delivered: number;
  failed: number;
  created_at: string;
  [field: string]: unknown;
}

const VERIFY_SNIPPET = `// npm install standardwebhooks
import { Webhook } from 'standardwebhooks';

const webhook = new Webhook(process.env.MAILROOM_WEBHOOK_SECRET); // the whsec_… secret above

// In your HTTP handler, with the request body exactly as received (bytes, not re-serialized JSON):
const event = webhook.verify(rawBody, {
  'webhook-id': request.headers['webhook-id'],
  'webhook-timestamp': request.headers['webhook-timestamp'],
  'webhook-signature': request.headers['webhook-signature'],
}); // throws when the signature or the timestamp is wrong
// event.type === 'ticket.suggested'; deduplicate on the webhook-id header.`;

function hidden(csrf: string): Html {
  return html`<input type="hidden" name="_csrf" value="${csrf}">`;
}

function row(s: Subscription, csrf: string, events: Capabilities['subscriptionEvents']): Html {
  const base = `/subscriptions/${encodeURIComponent(s.id)}`;
  const types = events ? s[events.field] : undefined;
  return html`<tr>
<td data-label="Endpoint">${s.url}<br><span class="muted">${s.id}${s.description ? ` — ${s.description}` : ''}</span></td>
<td data-label="Status"><span class="badge ${s.status}">${s.status}</span>${s.disabled_reason ? html`<br>${s.disabled_reason}` : ''}${
    s.failing_since ? html`<br><span class="muted">failing since ${time(s.failing_since)}</span>` : ''
  }</td>
${events ? html`<td data-label="Events">${Array.isArray(types) ? types.join(', ') : 'all'}</td>` : ''}
<td data-label="Deliveries">${s.delivered} delivered, ${s.pending} pending, <a href="/deliveries?status=failed&amp;subscription_id=${encodeURIComponent(s.id)}">${s.failed} failed</a></td>
<td data-label="Secret">${s.previous_secret_until ? html`rotated; old secret signs until ${time(s.previous_secret_until)}` : html`<span class="muted">one secret</span>`}</td>
<td data-label="Actions">
<form class="inline" method="post" action="${base}/test">${hidden(csrf)}<button type="submit" class="secondary">Send test ping</button></form>
<form class="inline" method="post" action="${base}/rotate-secret">${hidden(csrf)}<button type="submit" class="secondary">Rotate secret</button></form>
${
  s.status === 'enabled'
    ? html`<form class="inline" method="post" action="${base}/disable">${hidden(csrf)}<label for="reason-${s.id}">Reason</label><input id="reason-${s.id}" name="reason" maxlength="300" size="14"><button type="submit" class="danger">Disable</button></form>`
    : html`<form class="inline" method="post" action="${base}/enable">${hidden(csrf)}<button type="submit">Enable</button></form>`
}</td></tr>`;
}

function addForm(csrf: string, events: Capabilities['subscriptionEvents']): Html {
  return html`<h2>Add a subscription</h2>
<form class="stack" method="post" action="/subscriptions">${hidden(csrf)}
<label for="sub-url">Endpoint URL</label><input id="sub-url" name="url" type="url" required maxlength="2000" placeholder="https://tickets.example.com/hooks/mailroom">
<label for="sub-description">Description</label><input id="sub-description" name="description" maxlength="500" placeholder="Zendesk bridge">
${
  events
    ? html`<fieldset><legend>Event types</legend>${events.choices.map(
        (c) => html`<label><input type="checkbox" name="event" value="${c}"${c === 'ticket.suggested' ? html` checked` : ''}> ${c}</label> `,
      )}</fieldset>`
    : ''
}
<button type="submit">Add</button></form>`;
}

/** The one page that shows a secret: not cached, not repeated; the list never shows it again. */
function secretPage(ctx: ConsoleContext, reply: FastifyReply, session: Session, title: string, intro: Html, secret: string): FastifyReply {
  const body = html`<h1>${title}</h1>${intro}
<p><strong>Copy the signing secret now: it is shown this once.</strong> Store it in the receiver (e.g. as MAILROOM_WEBHOOK_SECRET).</p>
<label for="secret">Signing secret</label>
<input id="secret" class="secret" readonly value="${secret}">
<button type="button" data-copy="secret" hidden>Copy</button> <span id="copy-status" role="status"></span>
<h2>Verify the signature in the receiver</h2><pre>${VERIFY_SNIPPET}</pre>
<p><a href="/subscriptions">Done — back to subscriptions</a></p>`;
  return ctx.page(reply, session, { title, nav: 'subscriptions', body });
}

export function registerSubscriptionPages(router: ConsoleRouter, ctx: ConsoleContext): void {
  router.get('/subscriptions', async (_request, reply, session) => {
    const answer = await ctx.api(session, 'GET', '/v1/subscriptions');
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Subscriptions');
    const { subscriptionEvents: events } = await ctx.capabilities();
    const subs = answer.json.data as Subscription[];
    const body = html`<h1>Subscriptions</h1>
${
  subs.length === 0
    ? html`<p>No subscriptions yet: nothing receives <code>ticket.suggested</code>.</p>`
    : html`<div class="scroll"><table class="rows"><thead><tr><th scope="col">Endpoint</th><th scope="col">Status</th>${
        events ? html`<th scope="col">Events</th>` : ''
      }<th scope="col">Deliveries</th><th scope="col">Secret</th><th scope="col">Actions</th></tr></thead>
<tbody>${subs.map((s) => row(s, session.csrf, events))}</tbody></table></div>`
}
${addForm(session.csrf, events)}`;
    return ctx.page(reply, session, { title: 'Subscriptions', nav: 'subscriptions', body });
  });

  router.post('/subscriptions', async (request, reply, session) => {
    const form = request.body as { url?: string; description?: string; event?: string | string[] };
    const { subscriptionEvents: events } = await ctx.capabilities();
    const chosen = form.event === undefined ? [] : Array.isArray(form.event) ? form.event : [form.event];
    const payload = {
      url: (form.url ?? '').trim(),
      ...(form.description?.trim() ? { description: form.description.trim() } : {}),
      ...(events && chosen.length > 0 ? { [events.field]: chosen } : {}),
    };
    const answer = await ctx.api(session, 'POST', '/v1/subscriptions', payload);
    if (answer.status === 401) return ctx.apiFailure(reply, session, answer, 'Subscriptions');
    if (answer.status !== 201) return ctx.redirect(reply, session, '/subscriptions', { kind: 'error', text: `Not added: ${answer.json?.message ?? `HTTP ${answer.status}`}` });
    const created = answer.json as { id: string; url: string; secret: string };
    return secretPage(ctx, reply, session, 'Subscription added', html`<p>${created.url} now receives events (<code>${created.id}</code>).</p>`, created.secret);
  });

  router.post('/subscriptions/:id/rotate-secret', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const answer = await ctx.api(session, 'POST', `/v1/subscriptions/${encodeURIComponent(id)}/rotate-secret`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Rotate secret', '/subscriptions');
    const until = answer.json.previous_secret_valid_until as string;
    return secretPage(ctx, reply, session, 'Secret rotated', html`<p>The old secret keeps signing beside the new one until ${time(until)}.</p>`, answer.json.secret);
  });

  router.post('/subscriptions/:id/test', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const answer = await ctx.api(session, 'POST', `/v1/subscriptions/${encodeURIComponent(id)}/test`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Test ping', '/subscriptions');
    const r = answer.json as { ok: boolean; status_code: number | null; latency_ms: number; first_line?: string; error: string | null };
    const text = r.ok
      ? `Test ping to ${id}: HTTP ${r.status_code} in ${r.latency_ms} ms.`
      : `Test ping to ${id} failed after ${r.latency_ms} ms: ${r.error ?? `HTTP ${r.status_code}`}${r.first_line ? ` (${r.first_line})` : ''}`;
    return ctx.redirect(reply, session, '/subscriptions', { kind: r.ok ? 'ok' : 'error', text });
  });

  for (const change of ['enable', 'disable'] as const) {
    router.post(`/subscriptions/:id/${change}`, async (request, reply, session) => {
      const { id } = request.params as { id: string };
      const reason = (request.body as { reason?: string }).reason?.trim();
      const answer = await ctx.api(session, 'POST', `/v1/subscriptions/${encodeURIComponent(id)}/${change}`, change === 'disable' && reason ? { reason } : undefined);
      if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, `${change} subscription`, '/subscriptions');
      return ctx.redirect(reply, session, '/subscriptions', { kind: 'ok', text: `${id} ${change}d.` });
    });
  }
}
