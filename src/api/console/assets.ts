import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/**
 * The console's only assets: one stylesheet and one small script, served from memory with a
 * content hash in the URL (cached for a year, never stale). No fonts, no CDN: the system's fonts
 * and hand-made SVG charts. The script only adds conveniences (copy to clipboard); every page
 * works and reads without it.
 */
const CSS = `
:root{--fg:#1a1a1a;--muted:#555;--line:#d0d0d0;--bg:#fff;--soft:#f4f5f7;--accent:#0b57d0;--ok:#0a6b2e;--bad:#a4161a;--warn:#7a4d00;
--ticket:#0b57d0;--draft:#6b3fa0;--review:#a35200;--ignore:#6b6b6b;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
*{box-sizing:border-box}body{margin:0;line-height:1.45}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible{outline:3px solid #ffbf47;outline-offset:1px}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
header.top{display:flex;flex-wrap:wrap;gap:4px 16px;align-items:center;padding:8px 16px;background:#14213d;color:#fff}
header.top a{color:#fff;text-decoration:none;padding:6px 4px}header.top a[aria-current=page]{border-bottom:3px solid #ffbf47}
header.top .brand{font-weight:700;margin-right:8px}header.top form{margin-left:auto}
header.top button{background:transparent;color:#fff;border:1px solid #fff}
main{padding:12px 16px;max-width:1200px;margin:0 auto}h1{font-size:1.4rem;margin:8px 0 12px}h2{font-size:1.1rem;margin:20px 0 8px}
.muted{color:var(--muted)}.flash{padding:8px 12px;border-radius:4px;margin:8px 0;border:1px solid}
.flash.ok{background:#e7f5ec;border-color:var(--ok);color:var(--ok)}.flash.error{background:#fbeaea;border-color:var(--bad);color:var(--bad)}
.scroll{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--line);vertical-align:top}th{background:var(--soft);font-weight:600}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:.85rem;color:#fff;background:var(--muted);white-space:nowrap}
.badge.ticket{background:var(--ticket)}.badge.draft{background:var(--draft)}.badge.review{background:var(--review)}.badge.ignore{background:var(--ignore)}
.badge.delivered,.badge.enabled{background:var(--ok)}.badge.failed,.badge.disabled{background:var(--bad)}.badge.pending{background:var(--warn)}
.flag{display:inline-block;border:1px solid var(--bad);color:var(--bad);border-radius:4px;padding:0 6px;font-size:.8rem;margin-right:2px}
form.filters{display:flex;flex-wrap:wrap;gap:8px 12px;align-items:flex-end;background:var(--soft);padding:10px;border-radius:6px}
form.filters label,form.stack label{display:flex;flex-direction:column;font-size:.85rem;gap:2px}
input,select,textarea,button{font:inherit;padding:6px 8px;border:1px solid #767676;border-radius:4px;background:#fff;color:var(--fg)}
button{cursor:pointer;background:var(--accent);color:#fff;border-color:var(--accent)}button.secondary{background:#fff;color:var(--accent)}
button.danger{background:var(--bad);border-color:var(--bad)}
form.inline{display:inline-flex;gap:6px;flex-wrap:wrap;align-items:center;margin:2px 0}
form.stack{display:flex;flex-direction:column;gap:10px;max-width:560px}
pre{white-space:pre-wrap;word-break:break-word;background:var(--soft);padding:10px;border-radius:4px;font-size:.9rem;max-height:32rem;overflow:auto}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:16px}.card{border:1px solid var(--line);border-radius:6px;padding:10px}
.card h2{margin-top:0}.big{font-size:1.6rem;font-weight:700}svg.chart{width:100%;height:auto;display:block}
.legend span{display:inline-flex;align-items:center;gap:4px;margin-right:10px;font-size:.85rem}
.cards.charts{grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr))}
.secret{font-family:ui-monospace,monospace;width:100%}.pager{display:flex;gap:12px;margin:12px 0}
@media (max-width:640px){main{padding:8px}th,td{padding:4px}dl.facts{grid-template-columns:1fr}dl.facts dt{font-weight:600;color:var(--fg)}
table.rows thead{display:none}table.rows tr{display:block;border-bottom:2px solid var(--line);padding:6px 0}table.rows td{display:block;border:0;padding:2px 4px}
table.rows td[data-label]::before{content:attr(data-label) ": ";color:var(--muted)}}
`;

const JS = `
for (const button of document.querySelectorAll('button[data-copy]')) {
  button.hidden = false;
  button.addEventListener('click', async () => {
    const field = document.getElementById(button.dataset.copy);
    try { await navigator.clipboard.writeText(field.value ?? field.textContent); }
    catch { field.select?.(); document.execCommand('copy'); }
    button.textContent = 'Copied';
    document.getElementById('copy-status').textContent = 'Copied to the clipboard.';
  });
}
`;

export interface Asset {
  path: string;
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

function asset(name: string, ext: string, type: string, text: string): Asset {
  const body = Buffer.from(text.trim(), 'utf8');
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${hash}.${ext}`, type, body, gzip: gzipSync(body, { level: 9 }), etag: `"${hash}"` };
}

export const ASSETS = {
  css: asset('console', 'css', 'text/css; charset=utf-8', CSS),
  js: asset('console', 'js', 'text/javascript; charset=utf-8', JS),
} as const;
