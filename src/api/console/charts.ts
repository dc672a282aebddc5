import { escapeHtml, type Html, html, raw } from './html.js';

/**
 * Small SVG charts drawn on the server: no chart library to ship (uPlot would be ~50 KB of
 * script for four charts), readable without JavaScript, and each one comes with its numbers as a
 * table for screen readers and for copying.
 */
export interface Series {
  name: string;
  color: string;
  values: readonly number[];
}

const W = 560;
const H = 200;
const PAD = { left: 52, right: 8, top: 10, bottom: 26 };

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function axes(labels: readonly string[], max: number, unit: string): string {
  const plotH = H - PAD.top - PAD.bottom;
  let out = '';
  for (const fraction of [0, 0.5, 1]) {
    const y = PAD.top + plotH * (1 - fraction);
    out += `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y}" y2="${y}" stroke="#d0d0d0"/>`;
    out += `<text x="${PAD.left - 4}" y="${y + 4}" text-anchor="end" font-size="13" fill="#555">${escapeHtml(formatNumber(max * fraction))}${escapeHtml(unit)}</text>`;
  }
  const step = Math.max(1, Math.ceil(labels.length / 7));
  const slot = (W - PAD.left - PAD.right) / Math.max(1, labels.length);
  labels.forEach((label, i) => {
    // Counted from the end, so today always has its label and none overlap.
    if ((labels.length - 1 - i) % step !== 0) return;
    out += `<text x="${PAD.left + slot * (i + 0.5)}" y="${H - 6}" text-anchor="middle" font-size="13" fill="#555">${escapeHtml(label)}</text>`;
  });
  return out;
}

function formatNumber(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function legend(series: readonly Series[]): Html {
  // SVG swatches: the CSP allows no inline style attributes.
  return html`<p class="legend" aria-hidden="true">${series.map(
    (s) => html`<span><svg width="12" height="12" aria-hidden="true"><rect width="12" height="12" fill="${s.color}"/></svg>${s.name}</span>`,
  )}</p>`;
}

function dataTable(caption: string, labels: readonly string[], series: readonly Series[], unit: string): Html {
  return html`<details><summary>${caption}: the numbers</summary><div class="scroll"><table>
    <thead><tr><th scope="col">day</th>${series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
    <tbody>${labels.map((label, i) => html`<tr><th scope="row">${label}</th>${series.map((s) => html`<td>${formatNumber(s.values[i] ?? 0)}${unit}</td>`)}</tr>`)}</tbody>
  </table></div></details>`;
}

/** Bars per label, the series stacked (decisions by action). */
export function stackedBars(title: string, labels: readonly string[], series: readonly Series[], unit = ''): Html {
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, labels.length);
  let bars = '';
  labels.forEach((label, i) => {
    let y = PAD.top + plotH;
    for (const s of series) {
      const value = s.values[i] ?? 0;
      if (value <= 0) continue;
      const h = (value / max) * plotH;
      y -= h;
      bars += `<rect x="${(PAD.left + slot * i + slot * 0.15).toFixed(1)}" y="${y.toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${escapeHtml(`${label} ${s.name}: ${formatNumber(value)}${unit}`)}</title></rect>`;
    }
  });
  const svg = `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${axes(labels, max, unit)}${bars}</svg>`;
  return html`${legend(series)}${raw(svg)}${dataTable(title, labels, series, unit)}`;
}

/** Lines per series (latency mean and p95, success rate); a day without a value is a gap. */
export function lines(title: string, labels: readonly string[], series: readonly Series[], unit = '', fixedMax?: number): Html {
  const all = series.flatMap((s) => s.values.filter((v) => Number.isFinite(v)));
  const max = fixedMax ?? niceMax(Math.max(0, ...all));
  const plotH = H - PAD.top - PAD.bottom;
  const slot = (W - PAD.left - PAD.right) / Math.max(1, labels.length);
  let paths = '';
  for (const s of series) {
    let d = '';
    let dots = '';
    s.values.forEach((value, i) => {
      if (!Number.isFinite(value)) {
        d += ' ';
        return;
      }
      const x = (PAD.left + slot * (i + 0.5)).toFixed(1);
      const y = (PAD.top + plotH * (1 - value / max)).toFixed(1);
      d += `${d.endsWith(' ') || d === '' ? 'M' : 'L'}${x},${y}`;
      dots += `<circle cx="${x}" cy="${y}" r="3" fill="${s.color}"><title>${escapeHtml(`${labels[i]} ${s.name}: ${formatNumber(value)}${unit}`)}</title></circle>`;
    });
    paths += `<path d="${d.trim()}" fill="none" stroke="${s.color}" stroke-width="2"/>${dots}`;
  }
  const svg = `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(title)}">${axes(labels, max, unit)}${paths}</svg>`;
  return html`${legend(series)}${raw(svg)}${dataTable(title, labels, series, unit)}`;
}
