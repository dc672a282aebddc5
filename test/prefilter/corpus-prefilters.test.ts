import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseEmail } from '../../src/parse/parse-email.js';
import { isReplyableSender, runPrefilters } from '../../src/prefilter/index.js';

const CORPUS = fileURLToPath(new URL('../../../shared/corpus/raw', import.meta.url));
const OWN = ['support@mailroom.example'];

interface IndexEntry {
  file: string;
  kind: string;
  source_path: string;
}

/** What each corpus file is to a support lead: the pre-filter kind it should get, or who wrote it. */
type Expected = 'bounce' | 'auto_reply' | 'person' | 'spam' | 'fixture';

/** Groups corpus kinds coarsely: "bounce/dsn:aol.msg" → "bounce", "spam/spam_2" → "spam". */
function group(kind: string): string {
  return kind.split(/[:/]/)[0] ?? kind;
}

const BY_GROUP: Record<string, Expected> = {
  bounce: 'bounce',
  'spam-rejection-bounce': 'bounce',
  'abuse-feedback-report(arf)': 'bounce',
  'auto-reply': 'auto_reply',
  'auto-reply(rfc3834)': 'auto_reply',
  'challenge-response': 'auto_reply',
  ham: 'person',
  'enron-corporate-email': 'person',
  'reply-with-quote': 'person',
  'not-a-bounce': 'person',
  spam: 'spam',
};

/** Person-to-person mail that carries no list header, so no pre-filter at all should touch it. */
const UNLISTED_PEOPLE = new Set(['enron-corporate-email', 'reply-with-quote', 'not-a-bounce']);

/** Parser fixtures that are delivery reports, complaints or read receipts, by their path in the source. */
const MACHINE_FIXTURE = /bounce|complaints|delivery-status|multipart[-_]report|failure\.eml/;

/** Files whose kind (the source's folder or file name) says less than the message; each was read. */
const JUDGED: Record<string, Expected> = {
  // A Bluebottle challenge-response, which the source's own tests do not count as a bounce.
  'bounceparser/0008.eml': 'auto_reply',
  // A Lotus Notes out-of-office reply filed as bounce/dsn:warning-6.
  'bounceparser/0122.eml': 'auto_reply',
  // The rfc3834 vacation reply among the CR-line-ending copies.
  'sisimai/0211.eml': 'auto_reply',
  // An Exim bounce; "negative" only says it is not an auto-reply.
  'bounceparser/0039.eml': 'bounce',
  // A postmaster "mailbox full" notice; sisimai's "not" folder holds what it once parsed wrongly.
  'sisimai/0219.eml': 'bounce',
  // The spam itself, not its rejection: the source's tests assert these yield no bounce report.
  'bounceparser/0060.eml': 'spam',
  'bounceparser/0061.eml': 'spam',
  'bounceparser/0106.eml': 'spam',
  'bounceparser/0107.eml': 'spam',
  // Delivery reports among parser fixtures with neutral names.
  'mikel_mail/0052.eml': 'bounce',
  'spamscope/0001.eml': 'bounce',
  // Its subject is Exchange's Polish "Automatic reply:" prefix.
  'php_mime_mail_parser/0013.eml': 'auto_reply',
};

/** Headers a discussion-list manager adds to a person's post (RFC 2369 List-Post, Mailman, ezmlm). */
const DISCUSSION_LIST = /^(?:list-post:\s*<mailto:|x-beenthere:|mailing-list:.*(?:contact|run by)|sender:.*(?:owner-|-owner@|-admin@|-bounces@|-request@))/im;

function headerBlock(raw: Buffer): string {
  const text = raw.toString('latin1');
  return text.slice(0, text.search(/\r?\n\r?\n/) >>> 0);
}

function expectedOf(source: string, entry: IndexEntry): Expected {
  const judged = JUDGED[`${source}/${entry.file}`];
  if (judged !== undefined) return judged;
  if (group(entry.kind) !== 'fixture') return BY_GROUP[group(entry.kind)] ?? 'fixture';
  if (/disposition-notification/.test(entry.source_path)) return 'auto_reply';
  return MACHINE_FIXTURE.test(entry.source_path) ? 'bounce' : 'fixture';
}

test('pre-filters over the shared corpus: bounces and auto-replies caught, people left alone', { skip: !existsSync(CORPUS) && `no corpus at ${CORPUS}` }, async () => {
  const hits = new Map<Expected, Map<string, number>>();
  const misses: string[] = [];
  const falseHits: string[] = [];
  const ignoredPosts: string[] = [];
  let ignoredPeople = 0;
  let files = 0;
  for (const source of readdirSync(CORPUS).sort()) {
    const indexPath = join(CORPUS, source, 'index.jsonl');
    if (!existsSync(indexPath)) continue;
    for (const line of readFileSync(indexPath, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const entry = JSON.parse(line) as IndexEntry;
      const raw = readFileSync(join(CORPUS, source, entry.file));
      const expected = expectedOf(source, entry);
      files++;
      let hit: string;
      try {
        const email = await parseEmail(raw);
        const found = runPrefilters(email, { ownAddresses: OWN, sizeBytes: raw.length, maxMessageBytes: 25 * 1024 * 1024 });
        hit = found?.kind ?? 'none';
        if (expected === 'person' && found?.action === 'ignore') {
          ignoredPeople++;
          if (DISCUSSION_LIST.test(headerBlock(raw))) ignoredPosts.push(`${source}/${entry.file}`);
        }
        // No draft to a machine: the replyable check must agree with the pre-filters.
        if ((hit === 'bounce' || hit === 'auto_reply') && isReplyableSender(email, OWN)) falseHits.push(`${source}/${entry.file}: ${hit} but replyable`);
      } catch {
        hit = 'unparsed';
      }
      const name = `${source}/${entry.file} (${entry.kind})`;
      if (expected === 'bounce' || expected === 'auto_reply') {
        if (hit !== expected) misses.push(`${name}: ${hit}, expected ${expected}`);
      } else if (['bounce', 'auto_reply', 'own_address'].includes(hit) || (expected === 'person' && UNLISTED_PEOPLE.has(group(entry.kind)) && hit !== 'none')) {
        falseHits.push(`${name}: ${hit}`);
      }
      const counts = hits.get(expected) ?? new Map<string, number>();
      counts.set(hit, (counts.get(hit) ?? 0) + 1);
      hits.set(expected, counts);
    }
  }

  const count = (expected: Expected, kinds: readonly string[]) => kinds.reduce((sum, k) => sum + (hits.get(expected)?.get(k) ?? 0), 0);
  const total = (expected: Expected) => [...(hits.get(expected)?.values() ?? [])].reduce((a, b) => a + b, 0);
  const percent = (part: number, whole: number) => `${((part / whole) * 100).toFixed(1)} % (${part}/${whole})`;
  console.log(`pre-filter hits over ${files} corpus messages, by what each file is:`);
  for (const [expected, counts] of [...hits].sort()) {
    const byHit = [...counts].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k}=${v}`);
    console.log(`  ${expected.padEnd(10)} ${String(total(expected)).padStart(4)}  ${byHit.join(' ')}`);
  }
  if (misses.length > 0) console.log(`not caught as expected:\n  ${misses.join('\n  ')}`);

  assert.ok(files > 1500, 'the corpus should have its 1,572 messages');
  // Floors just under what was measured (every one caught, as its own kind): one miss in 364 tolerated.
  const machines = total('bounce') + total('auto_reply');
  const caught = count('bounce', ['bounce', 'auto_reply']) + count('auto_reply', ['bounce', 'auto_reply']);
  assert.ok(caught / machines >= 0.997, `bounces and auto-replies caught: ${percent(caught, machines)}`);
  assert.ok(count('bounce', ['bounce']) / total('bounce') >= 0.997, `bounces reported as bounces: ${percent(count('bounce', ['bounce']), total('bounce'))}`);
  assert.ok(count('auto_reply', ['auto_reply']) / total('auto_reply') >= 0.99, `auto-replies as auto-replies: ${percent(count('auto_reply', ['auto_reply']), total('auto_reply'))}`);
  // A false hit loses a customer: no person, spam or other fixture is taken for a bounce or an
  // auto-reply, and Enron's people, the reply fixtures and sisimai's non-bounces meet no pre-filter
  // at all. (SpamAssassin's ham is mostly mailing-list traffic, which the bulk filter is for.)
  assert.deepEqual(falseHits, [], 'human-written mail decided by a pre-filter, or a machine left replyable');
  // A person's post to a discussion list is left for review, never ignored; what remains ignored of
  // the ham is newsletters and announcements (SpamAssassin's hard ham is mostly commercial mail).
  console.log(`person mail ignored by a pre-filter: ${ignoredPeople} (discussion-list posts among them: ${ignoredPosts.length})`);
  assert.deepEqual(ignoredPosts, [], 'a post to a discussion list was ignored');
});
