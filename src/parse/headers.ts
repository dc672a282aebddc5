import { TextDecoder } from 'node:util';
import type { AddressObject, HeaderLines, EmailAddress as MailparserAddress } from 'mailparser';
import type { EmailAddress } from './parsed-email.js';

const ENCODED_WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
// Whitespace between two adjacent encoded words is folding, not content (RFC 2047 §6.2).
const BETWEEN_ENCODED_WORDS = /(\?=)\s+(?==\?[^?\s]+\?[bBqQ]\?)/g;
const VALID_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

const decoders = new Map<string, TextDecoder>();

function decoderFor(charset: string): TextDecoder {
  // RFC 2231 allows a language suffix: =?utf-8*en?Q?…?=
  const name = (charset.split('*')[0] ?? charset).toLowerCase();
  let decoder = decoders.get(name);
  if (!decoder) {
    try {
      decoder = new TextDecoder(name);
    } catch {
      // An unknown charset still shows its ASCII right; latin1 never throws.
      decoder = new TextDecoder('latin1');
    }
    // Charset names come from the sender; keep the cache from growing without bound.
    if (decoders.size < 64) decoders.set(name, decoder);
  }
  return decoder;
}

function decodeQ(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (c === '_') bytes.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return Buffer.from(bytes);
}

/** Decodes RFC 2047 encoded words ("=?utf-8?Q?R=C3=BCckbuchung?=") in an unstructured header value. */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(BETWEEN_ENCODED_WORDS, '$1').replace(ENCODED_WORD, (_whole, charset: string, encoding: string, text: string) => {
    const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
    return decoderFor(charset).decode(bytes);
  });
}

/** mailparser hands raw 8-bit header bytes over as latin1; most such headers are really UTF-8. */
function fromRawBytes(value: string): string {
  if (!/[^\x00-\x7f]/.test(value) || /[^\x00-\xff]/.test(value)) return value;
  const utf8 = Buffer.from(value, 'latin1').toString('utf8');
  return utf8.includes('\uFFFD') ? value : utf8;
}

/** The value of one raw header line: name removed, folding undone, encoded words decoded. */
export function headerLineValue(line: string): string {
  const colon = line.indexOf(':');
  const value = (colon >= 0 ? line.slice(colon + 1) : line)
    .replace(/\r?\n[ \t]+/g, ' ')
    .replace(/\r?\n/g, ' ')
    .trim();
  return decodeEncodedWords(fromRawBytes(value));
}

export function isValidHeaderName(name: string): boolean {
  return VALID_NAME.test(name);
}

/**
 * Every header of the message by lower-cased name, repeated headers joined with "\n" in message
 * order. Junk lines mailparser kept (an mbox "From " line, binary garbage) have no valid name and are skipped.
 */
export function buildHeaderMap(lines: HeaderLines): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { key, line } of lines) {
    const name = key.toLowerCase();
    // A header named __proto__ would replace the object's prototype instead of becoming a key.
    if (!isValidHeaderName(name) || name === '__proto__') continue;
    const value = headerLineValue(line);
    const previous = headers[name];
    headers[name] = previous === undefined ? value : `${previous}\n${value}`;
  }
  return headers;
}

function flatten(entries: readonly MailparserAddress[], out: EmailAddress[]): EmailAddress[] {
  for (const entry of entries) {
    if (entry.group) {
      flatten(entry.group, out);
    } else {
      out.push({ address: (entry.address ?? '').trim().toLowerCase(), name: (entry.name ?? '').trim() });
    }
  }
  return out;
}

/** All mailboxes of one or more address headers, groups replaced by their members. */
export function addressList(header: AddressObject | AddressObject[] | undefined): EmailAddress[] {
  if (!header) return [];
  const objects = Array.isArray(header) ? header : [header];
  const out: EmailAddress[] = [];
  for (const object of objects) flatten(object.value ?? [], out);
  return out;
}

/**
 * The first mailbox of a single-address header (From, Reply-To). A header that is present but
 * unusable gives an empty address rather than null, so "no From" and "bad From" stay distinguishable.
 */
export function firstAddress(header: AddressObject | undefined): EmailAddress | null {
  if (!header) return null;
  const first = addressList(header)[0];
  return first ?? { address: '', name: header.text?.trim() ?? '' };
}
