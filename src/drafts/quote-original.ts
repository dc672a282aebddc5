/** Longest part of the original quoted below the reply; the whole message stays in the thread. */
export const MAX_QUOTED_CHARS = 20_000;

/** The original's visible text, capped, with a marker where it was cut. */
export function quotableText(fullText: string): string {
  const text = fullText.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  if (text.length <= MAX_QUOTED_CHARS) return text;
  const cut = text.lastIndexOf('\n', MAX_QUOTED_CHARS);
  return `${text.slice(0, cut > MAX_QUOTED_CHARS / 2 ? cut : MAX_QUOTED_CHARS)}\n[…]`;
}

/** "> " before each line, ">" before lines already quoted and empty ones (RFC 3676 style). */
export function quoteLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' || line.startsWith('>') ? `>${line}` : `> ${line}`))
    .join('\n');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Plain text as HTML paragraphs: blank lines separate paragraphs, single newlines become <br>. */
export function textToHtml(text: string): string {
  return text
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim() !== '')
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, '<br>\n')}</p>`)
    .join('\n');
}
