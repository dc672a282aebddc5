import { DomUtils, parseDocument } from 'htmlparser2';
import { isUnreadable, parseCssColor, type Rgba } from './css-color.js';
import { hiddenByStyle, parseInlineStyle } from './inline-style.js';
import { collapseWhitespace, removeInvisibleCharacters } from './normalize-text.js';

// htmlparser2 bundles its own domhandler; take the node types from it rather than a second copy.
type HtmlDocument = ReturnType<typeof parseDocument>;
type HtmlNode = HtmlDocument['children'][number];

export interface HiddenHtmlResult {
  /** The HTML with every hidden element and unreadable text run cut out. */
  html: string;
  /** Text of what was cut out (and of HTML comments), one fragment per removed piece. */
  hidden: string[];
}

interface Frame {
  node: HtmlNode;
  /** Inline text colour in force, or null when none was set (the reader's default, readable). */
  color: Rgba | null;
  /** Background in force; null once an image or gradient makes it unknowable. */
  background: Rgba | null;
}

const WHITE: Rgba = { r: 255, g: 255, b: 255, a: 1 };
// Not rendered by mail clients (or by html-to-text); their text is neither visible nor hidden text.
const NOT_RENDERED = new Set(['head', 'title', 'style', 'script', 'noscript', 'template', 'xml', 'o:p']);
const BLOCK_TAGS = new Set(['p', 'div', 'br', 'li', 'tr', 'td', 'th', 'table', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'section', 'article', 'header', 'footer', 'hr', 'pre']);

/** Text of a removed subtree, with a space between blocks so words of different blocks do not merge. */
function readableText(node: HtmlNode, out: string[]): void {
  if (DomUtils.isText(node)) {
    out.push(node.data);
  } else if (DomUtils.isTag(node)) {
    if (NOT_RENDERED.has(node.name)) return;
    const block = BLOCK_TAGS.has(node.name);
    if (block) out.push(' ');
    for (const child of node.children) readableText(child, out);
    if (block) out.push(' ');
  }
}

function fragment(text: string): string {
  return collapseWhitespace(removeInvisibleCharacters(text));
}

function commentText(data: string): string {
  // Outlook conditional comments carry markup; keep only its words.
  return data.replace(/^\[if[^\]]*\]>|<!\[endif\]$/g, ' ').replace(/<[^>]*>/g, ' ');
}

function backgroundOf(attribs: Record<string, string>, style: Map<string, string>, inherited: Rgba | null): Rgba | null {
  const image = style.get('background-image');
  if (image !== undefined && image !== 'none') return null;
  const shorthand = style.get('background');
  if (shorthand !== undefined && /url\(|gradient\(/.test(shorthand)) return null;
  const candidates = [style.get('background-color'), shorthand, attribs.bgcolor];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const color = parseCssColor(candidate) ?? firstColorToken(candidate);
    if (color) return color.a === 0 ? inherited : color;
  }
  return inherited;
}

function firstColorToken(value: string): Rgba | null {
  for (const token of value.split(/\s+(?![^(]*\))/)) {
    const color = parseCssColor(token);
    if (color) return color;
  }
  return null;
}

function colorOf(node: { name: string; attribs: Record<string, string> }, style: Map<string, string>, inherited: Rgba | null): Rgba | null {
  const value = style.get('color') ?? (node.name === 'font' ? node.attribs.color : undefined);
  if (value === undefined) return inherited;
  return parseCssColor(value) ?? inherited;
}

/**
 * Cuts out of an HTML body what a person reading the email would not see, keeping its text apart:
 * elements hidden by inline style (display:none, visibility:hidden, font-size:0, opacity:0,
 * zero height with overflow:hidden, off-screen), the `hidden` attribute, text whose inline colour
 * matches its background (white on white), and HTML comments. Works on a real DOM (htmlparser2)
 * and splices the source by node offsets, so the visible markup reaches html-to-text unchanged.
 */
export function removeHiddenHtml(html: string): HiddenHtmlResult {
  const document = parseDocument(html, { withStartIndices: true, withEndIndices: true });
  const hidden: string[] = [];
  const cuts: Array<[number, number]> = [];

  const cut = (node: HtmlNode, text: string): void => {
    const start = node.startIndex;
    let end = node.endIndex;
    if (start === null || end === null) return;
    end += 1;
    // An element closed implicitly ends where its successor begins; never cut into the successor.
    const next = node.nextSibling;
    if (next && next.startIndex !== null && next.startIndex < end) end = next.startIndex;
    const last = cuts[cuts.length - 1];
    const from = last && last[1] > start ? last[1] : start;
    if (end > from) cuts.push([from, end]);
    const words = fragment(text);
    if (words) hidden.push(words);
  };

  const stack: Frame[] = [];
  for (let i = document.children.length - 1; i >= 0; i--) {
    stack.push({ node: document.children[i] as HtmlNode, color: null, background: WHITE });
  }
  while (stack.length > 0) {
    const { node, color, background } = stack.pop() as Frame;
    if (DomUtils.isComment(node)) {
      // html-to-text never renders comments, so only their words need keeping.
      const words = fragment(commentText(node.data));
      if (words) hidden.push(words);
      continue;
    }
    if (DomUtils.isText(node)) {
      if (color && background && isUnreadable(color, background) && node.data.trim()) cut(node, node.data);
      continue;
    }
    if (!DomUtils.isTag(node) || NOT_RENDERED.has(node.name)) continue;
    const style = node.attribs.style ? parseInlineStyle(node.attribs.style) : new Map<string, string>();
    if ('hidden' in node.attribs || hiddenByStyle(style) !== null) {
      const parts: string[] = [];
      readableText(node, parts);
      cut(node, parts.join(''));
      continue;
    }
    const frame = {
      color: colorOf(node, style, color),
      background: backgroundOf(node.attribs, style, background),
    };
    for (let i = node.children.length - 1; i >= 0; i--) {
      stack.push({ node: node.children[i] as HtmlNode, ...frame });
    }
  }

  if (cuts.length === 0) return { html, hidden };
  const kept: string[] = [];
  let position = 0;
  for (const [start, end] of cuts) {
    kept.push(html.slice(position, start));
    position = end;
  }
  kept.push(html.slice(position));
  return { html: kept.join(''), hidden };
}
