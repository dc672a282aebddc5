import { removeHiddenHtml } from './hidden-text.js';
import { htmlToReadableText } from './html-to-text.js';
import { removeInvisibleCharacters } from './invisible-characters.js';
import { normalizeText } from './normalize-text.js';

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
