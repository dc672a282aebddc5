/**
 * Messages for the bench and the fuzz test: the samples in examples/ and, when present, the public
 * corpus in ../shared/corpus/raw, read in place (never copied into the project).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/', import.meta.url));
export const CORPUS_DIR = fileURLToPath(new URL('../../../shared/corpus/raw/', import.meta.url));

export interface SourceMessage {
  /** Path relative to its folder (examples/… or corpus/<source>/…). */
  name: string;
  raw: Buffer;
}

function emlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...emlFiles(path));
    else if (entry.endsWith('.eml')) out.push(path);
  }
  return out;
}

export function corpusAvailable(): boolean {
  return existsSync(CORPUS_DIR);
}

/** Every example, then every corpus message (sorted, so the order is the same on every machine). */
export function loadSourceMessages(options: { corpus?: boolean } = {}): SourceMessage[] {
  const out: SourceMessage[] = emlFiles(EXAMPLES_DIR).map((path) => ({ name: `examples/${path.slice(EXAMPLES_DIR.length)}`, raw: readFileSync(path) }));
  if (options.corpus !== false && corpusAvailable()) {
    for (const path of emlFiles(CORPUS_DIR)) out.push({ name: `corpus/${path.slice(CORPUS_DIR.length)}`, raw: readFileSync(path) });
  }
  return out;
}

/**
 * The message as a server would hold it, with a Message-ID of our own so each copy is one
 * distinct email (a repeated source is then a realistic duplicate of content, not of bytes):
 * an mbox "From " separator line is dropped and any Message-ID header is replaced.
 */
export function withMessageId(raw: Buffer, messageId: string): Buffer {
  let text = raw.toString('latin1');
  if (text.startsWith('From ')) text = text.slice(text.indexOf('\n') + 1);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const headerEnd = findHeaderEnd(text);
  const head = text.slice(0, headerEnd);
  const body = text.slice(headerEnd);
  // Drop Message-ID lines and their folded continuations.
  const kept: string[] = [];
  let dropping = false;
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && dropping) continue;
    dropping = /^message-id\s*:/i.test(line);
    if (!dropping) kept.push(line);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return Buffer.from(`Message-ID: ${messageId}${eol}${kept.join(eol)}${body.startsWith(eol) || body === '' ? '' : eol}${body}`, 'latin1');
}

function findHeaderEnd(text: string): number {
  const crlf = text.indexOf('\r\n\r\n');
  const lf = text.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return text.length;
  if (crlf === -1) return lf;
  if (lf === -1) return crlf;
  return Math.min(crlf, lf);
}

/** `count` messages cycling through the sources, each with a unique Message-ID. */
export function backlogMessages(sources: readonly SourceMessage[], count: number, tag: string): Buffer[] {
  if (sources.length === 0) throw new Error('no source messages: examples/ is empty');
  return Array.from({ length: count }, (_, i) => withMessageId(sources[i % sources.length]!.raw, `<${tag}.${i}@bench.mailroom>`));
}
