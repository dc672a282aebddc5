/**
 * Mutations of real messages for the fuzz test: each takes the bytes of a message and returns
 * broken bytes of the kind mail servers really hold — cut-off transfers, mangled MIME, wrong
 * charsets, oversized or repeated headers, absurd nesting, NUL bytes — chosen by a seeded PRNG so
 * every run (and every failure) is reproducible from its seed and index.
 */
import type { Random } from '../../bench/support/prng.js';

export interface Mutation {
  name: string;
  /** Relative frequency; the big, slow-to-process shapes are drawn less often to keep the run short. */
  weight?: number;
  apply(raw: Buffer, random: Random): Buffer;
}

const latin1 = (b: Buffer) => b.toString('latin1');
const bytes = (s: string) => Buffer.from(s, 'latin1');

function splitHead(text: string): { head: string; sep: string; body: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text, sep: '', body: '' };
  return { head: text.slice(0, m.index), sep: m[0], body: text.slice(m.index + m[0].length) };
}

function insertAt(text: string, index: number, piece: string): string {
  return text.slice(0, index) + piece + text.slice(index);
}

export const MUTATIONS: readonly Mutation[] = [
  {
    name: 'truncate',
    apply: (raw, r) => raw.subarray(0, r.int(0, raw.length)),
  },
  {
    name: 'truncate-in-headers',
    apply: (raw, r) => {
      const { head } = splitHead(latin1(raw));
      return raw.subarray(0, r.int(0, head.length));
    },
  },
  {
    name: 'break-boundaries',
    apply: (raw, r) => {
      let text = latin1(raw);
      const boundary = /boundary="?([^";\r\n]+)"?/i.exec(text)?.[1];
      if (!boundary) return bytes(text.replace(/content-type:[^\r\n]*/i, 'Content-Type: multipart/mixed; boundary="never-used"'));
      const choice = r.int(0, 3);
      if (choice === 0)
        text = text.split(`--${boundary}--`).join(''); // no closing boundary
      else if (choice === 1)
        text = text.split(`--${boundary}`).join(`--${boundary.slice(0, -1)}`); // every delimiter off by one
      else if (choice === 2)
        text = text.replace(/boundary="?[^";\r\n]+"?/i, 'boundary=""'); // empty boundary
      else
        text = text
          .split(`--${boundary}`)
          .map((part, i) => (i > 0 && r.chance(0.5) ? part.slice(r.int(0, part.length)) : part))
          .join(`--${boundary}`);
      return bytes(text);
    },
  },
  {
    name: 'bad-charset',
    apply: (raw, r) => {
      const charset = r.pick(['x-unknown-charset', 'utf-7', 'iso-2022-jp', 'utf-16', 'ebcdic-cp-us', '"', 'utf-8"; charset="koi8-r', '']);
      const text = latin1(raw);
      const replaced = text.replace(/charset="?[^";\r\n]*"?/gi, `charset=${charset}`);
      return bytes(replaced === text ? text.replace(/\r?\n\r?\n/, `\r\nContent-Type: text/plain; charset=${charset}\r\n\r\n`) : replaced);
    },
  },
  {
    name: 'invalid-utf8-bytes',
    apply: (raw, r) => {
      const out = Buffer.from(raw);
      for (let i = 0; i < r.int(1, 50) && out.length > 0; i++) out[r.int(0, out.length - 1)] = r.pick([0xc0, 0xc1, 0xf5, 0xff, 0xfe, 0x80, 0xed]);
      return out;
    },
  },
  {
    name: 'wrong-transfer-encoding',
    apply: (raw, r) => {
      const enc = r.pick(['base64', 'quoted-printable', 'x-uuencode', 'binary', '7bit', 'bogus']);
      const { head, sep, body } = splitHead(latin1(raw));
      const headOut = /content-transfer-encoding:/i.test(head)
        ? head.replace(/content-transfer-encoding:[^\r\n]*/gi, `Content-Transfer-Encoding: ${enc}`)
        : `${head}\r\nContent-Transfer-Encoding: ${enc}`;
      const garbage = r.pick(['====', '=ZZ=\r\n=', '!!!not base64!!!', 'QUJD\r\nR===\r\n=', '=\r\n=\r\n=']);
      return bytes(`${headOut}${sep || '\r\n\r\n'}${insertAt(body, r.int(0, body.length), garbage)}`);
    },
  },
  {
    name: 'garbage-encoded-words',
    apply: (raw, r) => {
      const word = r.pick(['=?utf-8?B?!!!?=', '=?unknown?Q?x=ZZ?=', '=?utf-8?Q?', '=?iso-8859-1?X?abc?=', `=?utf-8?B?${'A'.repeat(5000)}?=`, '=?=?=?=?']);
      const text = latin1(raw);
      const replaced = text.replace(/^subject:[^\r\n]*/im, `Subject: ${word} ${word}`);
      return bytes(replaced === text ? `Subject: ${word}\r\n${text}` : replaced.replace(/^from:([^\r\n]*)/im, `From: ${word} $1`));
    },
  },
  {
    name: 'huge-header',
    weight: 0.35,
    apply: (raw, r) => {
      const size = r.int(20_000, 200_000);
      const name = r.pick(['Subject', 'X-Long', 'References', 'Received', 'To']);
      const value =
        name === 'References' || name === 'To'
          ? Array.from({ length: size / 40 }, (_, i) => (name === 'To' ? `user${i}@example.com,` : `<ref${i}@example.com>`)).join(r.chance(0.5) ? '\r\n ' : ' ')
          : 'x'.repeat(size);
      return Buffer.concat([bytes(`${name}: ${value}\r\n`), raw]);
    },
  },
  {
    name: 'many-headers',
    weight: 0.35,
    apply: (raw, r) => {
      const count = r.int(500, 5_000);
      const lines = Array.from({ length: count }, (_, i) => `${r.pick(['Received', 'X-Spam', 'Content-Type', 'From', 'Subject'])}: value ${i}\r\n`).join('');
      return Buffer.concat([bytes(lines), raw]);
    },
  },
  {
    name: 'deep-multipart-nesting',
    weight: 0.35,
    apply: (raw, r) => {
      const depth = r.int(20, 300);
      let text = `Content-Type: text/plain\r\n\r\nthe innermost part\r\n`;
      for (let i = depth; i > 0; i--) text = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${text}\r\n--b${i}--\r\n`;
      return Buffer.concat([bytes('From: a@example.com\r\nSubject: nested\r\nMIME-Version: 1.0\r\n'), bytes(text), r.chance(0.3) ? raw.subarray(0, 200) : Buffer.alloc(0)]);
    },
  },
  {
    name: 'deep-rfc822-nesting',
    apply: (raw, r) => {
      let message = raw;
      for (let i = 0; i < r.int(5, 60); i++) message = Buffer.concat([bytes(`From: layer${i}@example.com\r\nSubject: Fwd ${i}\r\nContent-Type: message/rfc822\r\n\r\n`), message]);
      return message;
    },
  },
  {
    name: 'deep-html',
    weight: 0.35,
    apply: (_raw, r) => {
      const depth = r.int(500, 5_000);
      const html = `${'<div><span>'.repeat(depth)}hello${'</span></div>'.repeat(r.chance(0.5) ? depth : 0)}`;
      return bytes(`From: a@example.com\r\nSubject: deep html\r\nContent-Type: text/html; charset=utf-8\r\n\r\n${html}\r\n`);
    },
  },
  {
    name: 'nul-bytes',
    apply: (raw, r) => {
      const out = Buffer.from(raw);
      for (let i = 0; i < r.int(1, 200) && out.length > 0; i++) out[r.int(0, out.length - 1)] = 0;
      return r.chance(0.2) ? Buffer.concat([Buffer.alloc(r.int(1, 5000)), out]) : out;
    },
  },
  {
    name: 'byte-flips',
    apply: (raw, r) => {
      const out = Buffer.from(raw);
      for (let i = 0; i < r.int(1, Math.max(1, out.length / 50)) && out.length > 0; i++) out[r.int(0, out.length - 1)] = r.int(0, 255);
      return out;
    },
  },
  {
    name: 'no-header-separator',
    apply: (raw) => bytes(latin1(raw).replace(/\r?\n\r?\n/g, '\r\n')),
  },
  {
    name: 'line-endings',
    apply: (raw, r) => {
      const text = latin1(raw);
      const eol = r.pick(['\r', '\n\r', '\r\r\n', '\n']);
      return bytes(text.replace(/\r?\n/g, () => (r.chance(0.5) ? eol : '\r\n')));
    },
  },
  {
    name: 'duplicate-structural-headers',
    apply: (raw, r) => {
      const dupes = Array.from({ length: r.int(2, 30) }, () =>
        r.pick([
          'Content-Type: multipart/alternative; boundary="x"',
          'Content-Type: text/html',
          'From: <>',
          'From: "a" <b@',
          'Message-ID: <>',
          'Date: not a date',
          'MIME-Version: 9.9',
          'Content-Transfer-Encoding: base64',
        ]),
      );
      return Buffer.concat([bytes(`${dupes.join('\r\n')}\r\n`), raw]);
    },
  },
  {
    name: 'empty-or-tiny',
    apply: (_raw, r) => bytes(r.pick(['', '\r\n', '\r\n\r\n', 'x', 'From:', ':\r\n\r\n', '\0', 'Subject: only a header', '\r\n\r\nonly a body'])),
  },
  {
    name: 'huge-line-body',
    weight: 0.35,
    apply: (raw, r) => {
      const { head, sep } = splitHead(latin1(raw));
      return bytes(`${head}${sep || '\r\n\r\n'}${r.pick(['a', '=', '>', ' ', '\t']).repeat(r.int(50_000, 300_000))}`);
    },
  },
  {
    // Trailing-blank regexes backtrack quadratically on a long run of blanks that does not end a line.
    name: 'whitespace-run',
    weight: 0.35,
    apply: (raw, r) => {
      const { head, sep, body } = splitHead(latin1(raw));
      const run = `${r.pick([' ', '\t', ' \t'])}`.repeat(r.int(20_000, 60_000)) + r.pick(['x', '.', '>', '\u00e9']);
      return bytes(`${head}${sep || '\r\n\r\n'}${insertAt(body, r.int(0, body.length), run)}`);
    },
  },
  {
    name: 'attachment-storm',
    weight: 0.35,
    apply: (_raw, r) => {
      const parts = r.int(100, 600);
      const body = Array.from(
        { length: parts },
        (_, i) => `--s\r\nContent-Type: application/octet-stream; name="f${i}.bin"\r\nContent-Disposition: attachment; filename="f${i}.bin"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n`,
      ).join('');
      return bytes(`From: a@example.com\r\nSubject: storm\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="s"\r\n\r\n${body}--s--\r\n`);
    },
  },
];

const TOTAL_WEIGHT = MUTATIONS.reduce((sum, m) => sum + (m.weight ?? 1), 0);

function pickMutation(random: Random): Mutation {
  let x = random.next() * TOTAL_WEIGHT;
  for (const m of MUTATIONS) {
    x -= m.weight ?? 1;
    if (x < 0) return m;
  }
  return MUTATIONS[MUTATIONS.length - 1]!;
}

/** One mutated message: one mutation of a random source, sometimes two or three stacked. */
export function mutatedMessage(sources: readonly Buffer[], random: Random): { raw: Buffer; mutations: string[] } {
  let raw = random.pick(sources);
  const mutations: string[] = [];
  const count = random.chance(0.6) ? 1 : random.chance(0.7) ? 2 : 3;
  for (let i = 0; i < count; i++) {
    const mutation = pickMutation(random);
    raw = mutation.apply(raw, random);
    mutations.push(mutation.name);
  }
  return { raw, mutations };
}

/**
 * Shapes that broke Mailroom once, checked before the random ones so a regression fails fast and
 * by name: a body-less inline message/rfc822 part on which mailparser 3.14's simpleParser never
 * settles, and a long run of blanks that does not end its line (quadratic trailing-blank regex).
 */
export const KNOWN_BAD_SHAPES: ReadonlyArray<{ name: string; raw: Buffer }> = [
  {
    name: 'body-less inline message/rfc822 part',
    raw: Buffer.from(
      'From: a@example.com\r\nSubject: truncated report\r\nContent-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline',
    ),
  },
  {
    name: '60,000 spaces before a dot',
    raw: Buffer.from(`From: a@example.com\r\nSubject: blanks\r\nContent-Type: text/plain\r\n\r\nHello${' '.repeat(60_000)}.\r\n`),
  },
];
