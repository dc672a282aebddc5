import type { DayStats, Stats } from '../routes/stats.js';
import { lines, stackedBars } from './charts.js';
import type { ConsoleContext, ConsoleRouter } from './console-app.js';
import { type Html, html } from './html.js';
import type { Session } from './sessions.js';

const DAYS = 14;

const ACTION_COLORS = { ticket: '#0b57d0', draft: '#6b3fa0', review: '#a35200', ignore: '#6b6b6b' } as const;

/**
 * The corrections seam: once the server has GET /v1/corrections, the override rate is corrections
 * over decisions in the same days. Until then (or if its answer has another shape) nothing is shown.
 */
async function overrideRate(ctx: ConsoleContext, session: Session, since: string, decisions: number): Promise<Html> {
  if (!(await ctx.capabilities()).correctionsLog) return html``;
  const answer = await ctx.api(session, 'GET', `/v1/corrections?since=${encodeURIComponent(since)}`);
  const rows = answer.status === 200 ? answer.json?.data : null;
  if (!Array.isArray(rows)) return html``;
  const share = decisions > 0 ? ((100 * rows.length) / decisions).toFixed(1) : '0';
  return html`<div class="card"><h2>Corrections</h2><p class="big">${share} %</p><p>${rows.length}${answer.json.next_cursor ? '+' : ''} corrections of ${decisions} decisions in ${DAYS} days (override rate).</p></div>`;
}

export function registerOverviewPage(router: ConsoleRouter, ctx: ConsoleContext): void {
  router.get('/', async (_request, reply, session) => {
    const answer = await ctx.api(session, 'GET', `/v1/stats?days=${DAYS}`);
    if (answer.status !== 200) return ctx.apiFailure(reply, session, answer, 'Overview');
    const stats = answer.json as Stats;
    const days = stats.days;
    const labels = days.map((d) => d.day.slice(5));
    const total = (d: DayStats) => Object.values(d.decisions).reduce((a, b) => a + b, 0);
    const decisions = days.reduce((sum, d) => sum + total(d), 0);
    const calls = days.reduce((sum, d) => sum + d.model_calls, 0);
    const tokens = days.reduce((sum, d) => sum + d.prompt_tokens + d.completion_tokens, 0);
    const ok = days.reduce((sum, d) => sum + d.attempts_ok, 0);
    const attempts = ok + days.reduce((sum, d) => sum + d.attempts_failed, 0);
    const successRate = (d: DayStats) => (d.attempts_ok + d.attempts_failed > 0 ? (100 * d.attempts_ok) / (d.attempts_ok + d.attempts_failed) : Number.NaN);
    const body = html`<h1>Overview <span class="muted">(last ${DAYS} days, UTC)</span></h1>
<div class="cards">
<div class="card"><h2>Outbox</h2><p class="big">${stats.outbox.depth}</p><p>deliveries waiting${
      stats.outbox.oldest_due_age_seconds > 0 ? html`, the oldest overdue by ${stats.outbox.oldest_due_age_seconds} s` : ''
    }; <a href="/deliveries?status=failed">${stats.outbox.failed} failed</a>; ${stats.messages_pending} emails not decided yet.</p></div>
<div class="card"><h2>Delivery success</h2><p class="big">${attempts > 0 ? `${((100 * ok) / attempts).toFixed(1)} %` : '–'}</p><p>${ok} of ${attempts} attempts answered 2xx.</p></div>
<div class="card"><h2>Model</h2><p class="big">${calls}</p><p>calls, ${tokens} tokens.</p></div>
${await overrideRate(ctx, session, `${days[0]!.day}T00:00:00Z`, decisions)}
</div>
<div class="cards charts">
<section class="card" aria-labelledby="c-decisions"><h2 id="c-decisions">Decisions per day by action</h2>${stackedBars(
      'Decisions per day by action',
      labels,
      (Object.keys(ACTION_COLORS) as Array<keyof typeof ACTION_COLORS>).map((a) => ({ name: a, color: ACTION_COLORS[a], values: days.map((d) => d.decisions[a]) })),
    )}</section>
<section class="card" aria-labelledby="c-latency"><h2 id="c-latency">Model latency</h2>${lines(
      'Model latency per day, mean and 95th percentile',
      labels,
      [
        { name: 'mean', color: '#0b57d0', values: days.map((d) => d.model_latency_ms.mean ?? Number.NaN) },
        { name: 'p95', color: '#a35200', values: days.map((d) => d.model_latency_ms.p95 ?? Number.NaN) },
      ],
      ' ms',
    )}</section>
<section class="card" aria-labelledby="c-tokens"><h2 id="c-tokens">Model tokens per day</h2>${stackedBars('Model tokens per day', labels, [
      { name: 'prompt', color: '#0b57d0', values: days.map((d) => d.prompt_tokens) },
      { name: 'completion', color: '#6b3fa0', values: days.map((d) => d.completion_tokens) },
    ])}</section>
<section class="card" aria-labelledby="c-success"><h2 id="c-success">Delivery success</h2>${lines(
      'Share of delivery attempts answered 2xx per day',
      labels,
      [{ name: 'answered 2xx', color: '#0a6b2e', values: days.map(successRate) }],
      ' %',
      100,
    )}</section>
</div>`;
    return ctx.page(reply, session, { title: 'Overview', nav: 'overview', body });
  });
}
