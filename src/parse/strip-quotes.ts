/**
 * Removes quoted history from a reply so that only the newest message is left. Works on
 * normalized plain text (LF, no trailing blanks), including HTML converted by html-to-text,
 * whose blockquotes arrive as "> " lines.
 *
 * What counts as history, in en/it/de/fr/es:
 * - an attribution line, also wrapped over two or three lines: "On … wrote:",
 *   "Il giorno … ha scritto:", "Am … schrieb …:", "Le … a écrit :", "El … escribió:", or any
 *   line ending that way when quoted lines follow;
 * - "-----Original Message-----" and its translations;
 * - an Outlook header block: From/Da/Von/De line followed by Sent/Inviato/Gesendet/Envoyé/
 *   Enviado (or Date) and To/Subject lines;
 * - lines quoted with ">".
 * Everything from the first attribution, separator or header block on is dropped, except in an
 * inline or bottom-posted reply (answers between or below quoted lines), where only the
 * attribution and the quoted lines go.
 */

const QUOTED = /^\s*>/;
const SEPARATOR = /^\s*[-_=*]{5,}\s*$/;

// Starter and ending of an attribution written by a mail client, per language.
const ATTRIBUTIONS: readonly RegExp[] = [
  /^on\b.{1,300}\bwrote\s*:$/i,
  /^il\b.{1,300}\bha scritto\s*:$/i,
  /^am\b.{1,300}\bschrieb\b.{0,200}:$/i,
  /^.{1,200}\bschrieb am\b.{1,200}:$/i,
  /^le\b.{1,300}\ba\s+[ée]crit\s*:$/i,
  /^el\b.{1,300}\bescribi[óo]\s*:$/i,
];
// Any line ending like an attribution; trusted only when quoted lines follow it.
const ATTRIBUTION_ENDING = /(\bwrote|\bsaid|\bwrites|\bha scritto|\bschrieb\b.{0,120}|\ba\s+[ée]crit|\bescribi[óo])\s*:$/i;
const ATTRIBUTION_STARTER = /^(on|il|am|le|el)\b/i;

const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(original message|messaggio originale|urspr(ü|ue|u)ngliche nachricht|original-nachricht|message d'origine|message original|mensaje original)\s*-{2,}\s*$/i;

// A forward is not history: the forwarded message is what the sender wants handled.
const FORWARD_SEPARATORS: readonly RegExp[] = [
  /^\s*-{2,}\s*(forwarded message|messaggio inoltrato|weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado)\s*-{2,}\s*$/i,
  /^\s*(begin forwarded message|inizio messaggio inoltrato|anfang der weitergeleiteten nachricht|d[ée]but du message r[ée]exp[ée]di[ée]|comienzo del mensaje reenviado)\s*:\s*$/i,
];

const HEADER_FROM = /^\s*\*?(from|da|von|de)\s*:\*?\s*\S/i;
const HEADER_DATE = /^\s*\*?(sent|date|inviato|data|gesendet|datum|envoy[ée]|enviado|fecha)\s*:/i;
const HEADER_TO = /^\s*\*?(to|a|an|à|para|cc)\s*:/i;
const HEADER_SUBJECT = /^\s*\*?(subject|oggetto|betreff|objet|asunto)\s*:/i;
// How far below the From line the rest of an Outlook header block may be.
const HEADER_BLOCK_LINES = 6;

interface Cut {
  line: number;
  /** Lines that belong to the marker itself (an attribution wrapped over two lines has two). */
  span: number;
  kind: HistoryMarker;
}

export type HistoryMarker = 'attribution' | 'separator' | 'header-block' | 'forward';

function nextNonBlank(lines: readonly string[], from: number): string | undefined {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim()) return line;
  }
  return undefined;
}

function attributionSpan(lines: readonly string[], index: number): number {
  const first = (lines[index] ?? '').trim();
  // Cheap exit for the common line: an attribution either ends here with ':' or starts here.
  if (!first || (!first.endsWith(':') && !ATTRIBUTION_STARTER.test(first))) return 0;
  let joined = first;
  for (let span = 1; span <= 3 && index + span <= lines.length; span++) {
    if (span > 1) {
      const more = (lines[index + span - 1] ?? '').trim();
      if (!more) return 0;
      joined = `${joined} ${more}`;
    }
    if (ATTRIBUTIONS.some((pattern) => pattern.test(joined))) return span;
    if (ATTRIBUTION_ENDING.test(joined) && QUOTED.test(nextNonBlank(lines, index + span) ?? '')) return span;
    // Only a line that starts like an attribution may continue on the next line.
    if (!ATTRIBUTION_STARTER.test(first) || joined.length > 400) return 0;
  }
  return 0;
}

function isHeaderBlock(lines: readonly string[], index: number): boolean {
  if (!HEADER_FROM.test(lines[index] ?? '')) return false;
  let date = false;
  let to = false;
  let subject = false;
  for (let i = index + 1; i < lines.length && i <= index + HEADER_BLOCK_LINES; i++) {
    const line = lines[i] ?? '';
    if (HEADER_DATE.test(line)) date = true;
    else if (HEADER_SUBJECT.test(line)) subject = true;
    else if (HEADER_TO.test(line)) to = true;
    // Lotus Notes and some web clients write no date line; To plus Subject is as telling.
    if ((date && (to || subject)) || (to && subject)) return true;
  }
  return false;
}

function findCut(lines: readonly string[]): Cut | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (QUOTED.test(line)) continue;
    if (ORIGINAL_MESSAGE.test(line)) return { line: i, span: 1, kind: 'separator' };
    if (FORWARD_SEPARATORS.some((pattern) => pattern.test(line))) return { line: i, span: 1, kind: 'forward' };
    if (isHeaderBlock(lines, i)) return { line: i, span: 1, kind: 'header-block' };
    const span = attributionSpan(lines, i);
    if (span > 0) return { line: i, span, kind: 'attribution' };
  }
  return null;
}

/** True when unquoted answers sit between quoted lines after `from`: an inline (interleaved) reply. */
function isInlineReply(lines: readonly string[], from: number): boolean {
  let seenQuote = false;
  let answerAfterQuote = false;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (QUOTED.test(line)) {
      if (answerAfterQuote) return true;
      seenQuote = true;
    } else if (seenQuote && line.trim() && !SEPARATOR.test(line)) {
      answerAfterQuote = true;
    }
  }
  return false;
}

function trimTrailingSeparators(lines: string[]): string[] {
  let end = lines.length;
  while (end > 0 && (!(lines[end - 1] ?? '').trim() || SEPARATOR.test(lines[end - 1] ?? ''))) end--;
  return lines.slice(0, end);
}

/** What the first piece of history in the text is, or null when there is none. */
export function firstHistoryMarker(text: string): HistoryMarker | null {
  return findCut(text.split('\n'))?.kind ?? null;
}

export function stripQuotedHistory(text: string): string {
  let lines = text.split('\n');
  const cut = findCut(lines);
  if (cut && cut.kind !== 'forward') {
    const nothingAbove = lines.slice(0, cut.line).every((line) => !line.trim());
    // Bottom-posted or inline replies answer below the quote: keep the answers, drop the quote.
    if (cut.kind === 'attribution' && (nothingAbove || isInlineReply(lines, cut.line + cut.span))) {
      lines = [...lines.slice(0, cut.line), ...lines.slice(cut.line + cut.span)];
    } else {
      lines = lines.slice(0, cut.line);
    }
  }
  const unquoted = lines.filter((line) => !QUOTED.test(line));
  return trimTrailingSeparators(unquoted)
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
