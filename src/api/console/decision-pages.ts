import { ACTIONS, INTENTS } from '../../contract/index.js';
import type { ConsoleContext, ConsoleRouter } from './console-app.js';
import { deliveryRows } from './delivery-pages.js';
import { type Html, html, query, time } from './html.js';

const PAGE_SIZE = 50;
const FLAGS = ['payment', 'legal', 'vip'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

interface Reason {
  code: string;
  text: string;
}
type Flags = Record<(typeof FLAGS)[number], boolean>;

interface DecisionItem {
  email_id: string;
  decided_at: string;
  mailbox: string;
  from: string | null;
  subject: string | null;
  action: string;
  reasons: Reason[];
  flags: Flags;
  intent: string | null;
}

type Filters = Partial<Record<'action' | 'mailbox' | 'flag' | 'intent' | 'from' | 'to' | 'q' | 'cursor', string>>;

export function actionBadge(action: string | null | undefined): Html {
  return action ? html`<span class="badge ${action}">${action}</span>` : html`<span class="muted">undecided</span>`;
}

function flagList(flags: Flags | null | undefined): Html {
  const raised = FLAGS.filter((f) => flags?.[f]);
  return html`${raised.map((f) => html`<span class="flag">${f}</span>`)}`;
}

function select(name: string, label: string, choices: readonly string[], value: string | undefined): Html {
  return html`<label>${label}<select name="${name}"><option value="">any</option>${choices.map((c) => html`<option${c === value ? html` selected` : ''}>${c}</option>`)}</select></label>`;
}

/** The page's filters as the API's query: a day picked as "to" includes that whole day. */
function apiQuery(f: Filters): string {
  const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString();
  return query({
    limit: PAGE_SIZE,
    action: f.action,
    mailbox: f.mailbox,
    flag: f.flag,
    intent: f.intent,
    q: f.q?.trim(),
    since: f.from && DAY.test(f.from) ? `${f.from}T00:00:00Z` : undefined,
    until: f.to && DAY.test(f.to) ? nextDay(f.to) : undefined,
    cursor: f.cursor,
  });
}

function filterForm(f: Filters, mailboxes: readonly string[]): Html {
  return html`<form class="filters" method="get" action="/decisions" role="search" aria-label="Filter decisions">
${select('action', 'Action', ACTIONS, f.action)}
<label>Mailbox<input name="mailbox" list="mailboxes" value="${f.mailbox ?? ''}" size="10"></label>
<datalist id="mailboxes">${mailboxes.map((m) => html`<option value="${m}">`)}</datalist>
${select('flag', 'Flag', FLAGS, f.flag)}
${select('intent', 'Intent', INTENTS, f.intent)}
<label>From day<input type="date" name="from" value="${f.from ?? ''}"></label>
<label>To day<input type="date" name="to" value="${f.to ?? ''}"></label>
<label>Sender or subject<input type="search" name="q" value="${f.q ?? ''}" maxlength="200"></label>
<button type="submit">Filter</button> <a href="/decisions">Clear</a>
</form>`;
}

function decisionTable(items: DecisionItem[]): Html {
  if (items.length === 0) return html`<p>No decisions match these filters.</p>`;
  return html`<div class="scroll"><table class="rows"><caption class="muted">Newest first</caption>
<thead><tr><th scope="col">Decided</th><th scope="col">Action</th><th scope="col">From</th><th scope="col">Subject</th><th scope="col">Intent</th><th scope="col">Why</th></tr></thead>
<tbody>${items.map(
    (d) => html`<tr>
<td data-label="Decided">${time(d.decided_at)}<br><span class="muted">${d.mailbox}</span></td>
<td data-label="Action">${actionBadge(d.action)} ${flagList(d.flags)}</td>
<td data-label="From">${d.from ?? '–'}</td>
<td data-label="Subject"><a href="/emails/${encodeURIComponent(d.email_id)}">${d.subject || '(no subject)'}</a></td>
<td data-label="Intent">${d.intent ?? '–'}</td>
<td data-label="Why">${d.reasons.map((r) => r.text).join('; ')}</td></tr>`,
  )}</tbody></table></div>`;
}

export function registerDecisionPages(router: ConsoleRouter, ctx: ConsoleContext): void {
  const mailboxes = ctx.deps.config.mailboxes.map((m) => m.name);

  router.get('/decisions', async (request, reply, session) => {
    const f = request.query as Filters;
    const answer = await ctx.api(session, 'GET', `/v1/decisions${apiQuery(f)}`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Decisions', '/decisions');
    const { data, next_cursor: next } = answer.json as { data: DecisionItem[]; next_cursor: string | null };
    const { cursor, ...rest } = f;
    const body = html`<h1>Decisions</h1>${filterForm(f, mailboxes)}${decisionTable(data)}
<nav class="pager" aria-label="Pages">${cursor ? html`<a href="/decisions${query(rest)}">Newest</a>` : ''}${
      next ? html`<a href="/decisions${query({ ...rest, cursor: next })}" rel="next">Older</a>` : ''
    }</nav>`;
    return ctx.page(reply, session, { title: 'Decisions', nav: 'decisions', body });
  });

  router.get('/emails/:id', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const answer = await ctx.api(session, 'GET', `/v1/emails/${encodeURIComponent(id)}`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Email', '/decisions');
    const email = answer.json;
    // Each delivery with its attempts: one API call per delivery (an email has one per subscription).
    const deliveries = await Promise.all((email.deliveries as Array<{ id: string }>).map(async (d) => (await ctx.api(session, 'GET', `/v1/deliveries/${encodeURIComponent(d.id)}`)).json ?? d));
    const capabilities = await ctx.capabilities();
    const body = html`<h1>${email.subject || '(no subject)'}</h1>
<dl class="facts">
<dt>From</dt><dd>${email.from_name ? `${email.from_name} <${email.from ?? ''}>` : (email.from ?? '–')}</dd>
<dt>Mailbox</dt><dd>${email.mailbox}</dd><dt>Received</dt><dd>${time(email.received_at)}</dd>
<dt>Message-ID</dt><dd>${email.message_id ?? '–'}</dd><dt>Status</dt><dd>${email.status}${email.error ? html` — ${email.error}` : ''}</dd>
<dt>Original</dt><dd>${email.raw_available ? html`<a href="/emails/${encodeURIComponent(email.id)}/raw" download>Download the raw message (.eml, ${email.size_bytes} bytes)</a>` : 'not kept (over the size limit)'}</dd>
</dl>
${decisionSection(email)}
${capabilities.corrections && email.decision ? correctionForm(email.id, email.decision.action, session.csrf) : ''}
${classificationSection(email.classification)}
${detectorSection(email.decision?.detector_matches ?? [])}
<h2>Cleaned text</h2>${email.clean_text === null ? html`<p class="muted">Not parsed yet.</p>` : html`<pre>${email.clean_text}</pre>`}
${email.hidden_text ? html`<details><summary>Hidden text (read by the detectors, never by the model)</summary><pre>${email.hidden_text}</pre></details>` : ''}
${
  email.attachments.length > 0
    ? html`<h2>Attachments</h2><ul>${(email.attachments as Array<{ filename: string; content_type: string; size: number }>).map((a) => html`<li>${a.filename} (${a.content_type}, ${a.size} bytes)</li>`)}</ul>`
    : ''
}
${draftSection(email.draft)}
<h2>Deliveries</h2>${deliveries.length === 0 ? html`<p class="muted">No webhook deliveries for this email.</p>` : deliveryRows(deliveries, { attempts: true })}`;
    return ctx.page(reply, session, { title: email.subject || 'Email', nav: 'decisions', body });
  });

  router.get('/emails/:id/raw', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const answer = await ctx.api(session, 'GET', `/v1/emails/${encodeURIComponent(id)}/raw`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Raw message', `/emails/${encodeURIComponent(id)}`);
    return reply
      .header('content-type', 'message/rfc822')
      .header('content-disposition', String(answer.headers['content-disposition'] ?? 'attachment'))
      .header('cache-control', 'no-store')
      .send(answer.raw);
  });

  router.post('/emails/:id/corrections', async (request, reply, session) => {
    const { id } = request.params as { id: string };
    const form = request.body as { action?: string; note?: string };
    const note = form.note?.trim();
    const answer = await ctx.api(session, 'POST', `/v1/emails/${encodeURIComponent(id)}/corrections`, { action: form.action, ...(note ? { note } : {}) });
    const back = `/emails/${encodeURIComponent(id)}`;
    if (answer.status >= 300) return ctx.redirect(reply, session, back, { kind: 'error', text: `Not corrected: ${answer.json?.message ?? `HTTP ${answer.status}`}` });
    return ctx.redirect(reply, session, back, { kind: 'ok', text: `Corrected to ${form.action}.` });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: the API's email shape (GET /v1/emails/{id}).
type Email = any;

function decisionSection(email: Email): Html {
  const d = email.decision;
  if (!d) return html`<h2>Decision</h2><p class="muted">Not decided yet.</p>`;
  return html`<h2>Decision</h2><p>${actionBadge(d.action)} ${flagList(d.flags)} <span class="muted">decided ${time(d.decided_at)}, policy ${d.policy_version}${d.prefilter ? `, pre-filter ${d.prefilter}` : ''}</span></p>
<ul>${(d.reasons as Reason[]).map((r) => html`<li>${r.text} <span class="muted">(${r.code})</span></li>`)}</ul>`;
}

/** The seam for corrections: rendered only when the server has POST /v1/emails/{id}/corrections. */
function correctionForm(emailId: string, current: string, csrf: string): Html {
  return html`<h2>Correct this decision</h2>
<form class="stack" method="post" action="/emails/${encodeURIComponent(emailId)}/corrections">
<input type="hidden" name="_csrf" value="${csrf}">
<label for="correction-note">Note (optional)</label><textarea id="correction-note" name="note" rows="2" maxlength="500"></textarea>
<div role="group" aria-label="Correct to">${ACTIONS.filter((a) => a !== current).map(
    (a) => html`<button type="submit" name="action" value="${a}" class="secondary">Should be ${a}</button> `,
  )}</div></form>`;
}

function classificationSection(c: Email): Html {
  if (!c) return html`<h2>Classification</h2><p class="muted">No classification (decided by a pre-filter, or not yet).</p>`;
  const o = c.output ?? {};
  return html`<h2>Classification</h2>
${c.error ? html`<p class="flash error">${c.error}</p>` : ''}
${o.summary ? html`<p>${o.summary}</p>` : ''}
<dl class="facts">
<dt>Intent</dt><dd>${o.intent ?? '–'}</dd><dt>Category</dt><dd>${o.category ?? '–'}</dd><dt>Priority</dt><dd>${o.priority ?? '–'}</dd>
<dt>Language</dt><dd>${o.language ?? '–'}</dd><dt>Sentiment</dt><dd>${o.sentiment ?? '–'}</dd>
<dt>Confidence</dt><dd>${c.confidence === null ? '–' : c.confidence.toFixed(2)}</dd>
<dt>Classifier</dt><dd>${c.classifier}</dd><dt>Model</dt><dd>${c.model}</dd><dt>Prompt version</dt><dd>${c.prompt_version}</dd>
<dt>Model version</dt><dd>${c.model_version ?? '–'}</dd>
<dt>Tokens</dt><dd>${c.prompt_tokens ?? 0} in, ${c.completion_tokens ?? 0} out${c.cached ? ' (cached answer, no call)' : ''}</dd>
<dt>Latency</dt><dd>${c.latency_ms === null ? '–' : `${c.latency_ms} ms`}</dd>
</dl>`;
}

function detectorSection(matches: Array<{ flag: string; term: string; where: string }>): Html {
  if (matches.length === 0) return html`<h2>Detectors</h2><p class="muted">The payment and legal detectors found nothing.</p>`;
  return html`<h2>Detectors</h2><div class="scroll"><table><thead><tr><th scope="col">Flag</th><th scope="col">Found</th><th scope="col">Where</th></tr></thead>
<tbody>${matches.map((m) => html`<tr><td>${m.flag}</td><td>${m.term}</td><td>${m.where}</td></tr>`)}</tbody></table></div>`;
}

function draftSection(draft: Email): Html {
  if (!draft) return html``;
  return html`<h2>Reply draft</h2><p>${draft.status}${draft.folder ? html` — in ${draft.folder}` : ''}${draft.language ? html` (${draft.language})` : ''}${draft.error ? html` — ${draft.error}` : ''}</p>
${draft.note ? html`<p class="muted">${draft.note}</p>` : ''}${draft.reply_text ? html`<pre>${draft.reply_text}</pre>` : ''}`;
}
