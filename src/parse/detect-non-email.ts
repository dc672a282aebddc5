/**
 * Why a file was refused before any cleaning ran; lets callers count failures by kind. `timeout`
 * is the only one worth another try: the parse deadline is wall time, so a healthy message can miss
 * it when the machine is busy.
 */
export type MalformedReason = 'empty' | 'binary' | 'no-headers' | 'unparseable' | 'timeout';

/**
 * The input is not an email at all (empty, binary, no header block) or mailparser gave up on it.
 * The message is one line that says what is wrong and what to do; callers prefix the file name.
 * Messy but real mail never gets this error: anything with at least one header is accepted.
 */
export class MalformedEmailError extends Error {
  override readonly name = 'MalformedEmailError';
  readonly reason: MalformedReason;

  constructor(reason: MalformedReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export function isMalformedEmailError(error: unknown): error is MalformedEmailError {
  return error instanceof MalformedEmailError;
}

interface Signature {
  readonly offset: number;
  readonly bytes: readonly number[];
  readonly label: string;
}

const ascii = (text: string): number[] => [...text].map((c) => c.charCodeAt(0));

// Files people save by mistake next to their .eml files; the label tells them what they passed.
const SIGNATURES: readonly Signature[] = [
  { offset: 0, bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], label: 'a PNG image' },
  { offset: 0, bytes: [0xff, 0xd8, 0xff], label: 'a JPEG image' },
  { offset: 0, bytes: ascii('GIF8'), label: 'a GIF image' },
  { offset: 0, bytes: ascii('%PDF-'), label: 'a PDF document' },
  { offset: 0, bytes: [0x50, 0x4b, 0x03, 0x04], label: 'a ZIP archive or Office document' },
  { offset: 0, bytes: [0x50, 0x4b, 0x05, 0x06], label: 'a ZIP archive' },
  { offset: 0, bytes: [0x1f, 0x8b], label: 'a gzip archive' },
  { offset: 0, bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], label: 'a 7-Zip archive' },
  { offset: 0, bytes: ascii('Rar!'), label: 'a RAR archive' },
  {
    offset: 0,
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
    label: 'an Outlook .msg file or old Office document; in Outlook use "Save as" .eml or forward it as an attachment',
  },
  { offset: 0, bytes: [0x78, 0x9f, 0x3e, 0x22], label: 'a winmail.dat (TNEF) attachment' },
  { offset: 0, bytes: [0x7f, 0x45, 0x4c, 0x46], label: 'a Linux executable' },
  { offset: 0, bytes: ascii('SQLite format 3'), label: 'an SQLite database' },
  { offset: 0, bytes: ascii('RIFF'), label: 'a RIFF media file' },
  { offset: 4, bytes: ascii('ftyp'), label: 'an MP4/MOV video' },
  { offset: 0, bytes: [0xff, 0xfe], label: 'UTF-16 text; save the message as raw .eml' },
  { offset: 0, bytes: [0xfe, 0xff], label: 'UTF-16 text; save the message as raw .eml' },
];

const HEADER_SCAN_LIMIT = 64 * 1024;

function matches(raw: Buffer, signature: Signature): boolean {
  if (raw.length < signature.offset + signature.bytes.length) return false;
  return signature.bytes.every((byte, i) => raw[signature.offset + i] === byte);
}

/** Where the header block ends: the first empty line, or a bounded prefix when there is none. */
function headerBlockEnd(raw: Buffer): number {
  const limit = Math.min(raw.length, HEADER_SCAN_LIMIT);
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  const ends = [lf, crlf].filter((i) => i >= 0 && i < limit);
  return ends.length > 0 ? Math.min(...ends) : limit;
}

/** Index of the first byte after any blank or whitespace-only lines at the very start. */
export function leadingBlankLinesEnd(raw: Buffer): number {
  let lineStart = 0;
  for (let i = 0; i < raw.length; i++) {
    const byte = raw[i];
    if (byte === 0x0a) {
      lineStart = i + 1;
    } else if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) {
      return lineStart;
    }
  }
  return raw.length;
}

function firstLine(raw: Buffer, from: number): string {
  const end = raw.indexOf('\n', from);
  return raw
    .subarray(from, end < 0 ? Math.min(raw.length, from + 200) : Math.min(end, from + 200))
    .toString('latin1')
    .replace(/\r$/, '');
}

function preview(line: string): string {
  const shown = line.length > 40 ? `${line.slice(0, 40)}…` : line;
  return JSON.stringify(shown);
}

/**
 * Refuses input that is plainly not an email before mailparser sees it: empty files, known binary
 * formats, NUL bytes in the header block. It stays lenient on purpose: real mail is messy, so
 * whether there is a header at all is judged on mailparser's result (see noHeaderBlockError).
 */
export function assertLooksLikeEmail(raw: Buffer): void {
  if (raw.length === 0) {
    throw new MalformedEmailError('empty', 'empty file: 0 bytes, not an email; export the message again as a raw .eml file');
  }
  const start = leadingBlankLinesEnd(raw);
  if (start === raw.length) {
    throw new MalformedEmailError('empty', `empty file: ${raw.length} bytes of blank lines only, not an email; export the message again as a raw .eml file`);
  }
  for (const signature of SIGNATURES) {
    if (matches(raw, signature)) {
      throw new MalformedEmailError('binary', `not an email: binary data (looks like ${signature.label}); pass the raw message source (.eml)`);
    }
  }
  const headerEnd = headerBlockEnd(raw);
  if (raw.subarray(0, headerEnd).includes(0)) {
    throw new MalformedEmailError('binary', 'not an email: binary data (NUL bytes in the first part); pass the raw message source (.eml)');
  }
}

/** The error for input in which mailparser found no header at all, quoting its first line. */
export function noHeaderBlockError(raw: Buffer): MalformedEmailError {
  const line = firstLine(raw, leadingBlankLinesEnd(raw));
  return new MalformedEmailError(
    'no-headers',
    `not an email: no header block (first line is ${preview(line)}, expected a header such as "From: …"); pass the complete raw message with its headers (.eml)`,
  );
}
