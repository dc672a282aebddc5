import { compile, type FormatCallback } from 'html-to-text';
import { removeHiddenHtml } from './hidden-text.js';
import { normalizeText, removeInvisibleCharacters } from './normalize-text.js';

// Past this, HTML is cut before parsing: the model sees at most a few thousand characters anyway,
// and html-to-text would otherwise truncate at 16 MB itself and print a warning on stderr.
export const MAX_HTML_CHARS = 2_000_000;

export interface BodyText {
  /** Everything a reader sees, as plain text; nothing of the history or signature removed yet. */
  fullText: string;
  /** What was hidden from the reader, one fragment per line. */
  hiddenText: string;
}

/**
 * The readable text of a message body. HTML wins over the plain-text alternative when both exist:
 * the HTML is what mail clients show, and a plain-text part that says something else (a prompt
 * aimed at the model) is just as invisible to the reader as a display:none block.
 */
export function bodyText(body: { html?: string | false | undefined; text?: string | undefined }): BodyText {
  if (typeof body.html === 'string' && body.html.trim()) {
    const source = body.html.length > MAX_HTML_CHARS ? body.html.slice(0, MAX_HTML_CHARS) : body.html;
    const { html, hidden } = removeHiddenHtml(source);
    const fullText = normalizeText(removeInvisibleCharacters(htmlToReadableText(html)));
    const hiddenText = hidden.join('\n');
    if (fullText || !body.text?.trim()) return { fullText, hiddenText };
    // HTML with nothing visible (all hidden, or images only): the plain part is all there is.
    return { fullText: normalizeText(removeInvisibleCharacters(body.text)), hiddenText };
  }
  return { fullText: normalizeText(removeInvisibleCharacters(body.text ?? '')), hiddenText: '' };
}

// Table cells are laid out as inline runs separated by spaces, one line per row: layout tables
// (most HTML mail) read as paragraphs, data tables as "label  value" lines.
const formatCell: FormatCallback = (elem, walk, builder) => {
  walk(elem.children, builder);
  builder.addInline('  ');
};

// Only the alt text: src is a tracking pixel or a data: URL nobody wants to read.
const formatImage: FormatCallback = (elem, _walk, builder) => {
  const alt = elem.attribs?.alt?.trim();
  if (alt) builder.addInline(alt);
};

const convert = compile({
  // Line wrapping would split quote attributions ("On … wrote:") and change character counts.
  wordwrap: false,
  // The whole document, not only <body>: text after </body> or </html> (list footers, a second
  // HTML part) is shown by mail clients, so it must not vanish here.
  baseElements: { selectors: [], returnDomByDefault: true },
  // U+200B is an invisible character, not a word break: removed later so "refu\u200Bnd" stays one word.
  whitespaceCharacters: ' \t\r\n\f',
  formatters: { tableCell: formatCell, altOnly: formatImage },
  selectors: [
    {
      selector: 'a',
      options: { linkBrackets: ['(', ')'], hideLinkHrefIfSameAsText: true, noAnchorUrl: true },
    },
    { selector: 'img', format: 'altOnly' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'tr', format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } },
    { selector: 'td', format: 'tableCell' },
    { selector: 'th', format: 'tableCell' },
    { selector: 'head', format: 'skip' },
    { selector: 'title', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'noscript', format: 'skip' },
    { selector: 'template', format: 'skip' },
  ],
});

/**
 * Readable plain text of an HTML body: paragraphs and line breaks kept, links as "label (url)",
 * images as their alt text, blockquotes as "> " lines (so quote stripping treats them like
 * plain-text quotes), script/style/head dropped. Hidden content must be removed before this.
 */
export function htmlToReadableText(html: string): string {
  return convert(html);
}
