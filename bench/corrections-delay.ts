/**
 * `npm run bench:corrections-delay`: how long after a person sets a correction keyword in their
 * mail client Mailroom has recorded it. A private Dovecot, the embedded database, Mailroom's
 * correction watcher, and an imapflow session playing the mail client that sets $Mailroom-Ticket on
 * one decided message after another. Run twice: with CONDSTORE (the change is announced in IDLE)
 * and with CONDSTORE hidden from the capabilities (only the sweep finds it; sweep_interval 5 s).
 * Prints the delays; asserts nothing.
 *
 *   npm run bench:corrections-delay -- [--count 20]
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { configSchema } from '../src/config/index.js';
import { type RecordedCorrection, startImapCorrections } from '../src/corrections/index.js';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { storeMessage } from '../src/ingest/index.js';
import { systemClock } from '../src/util/clock.js';
import { silentLogger } from '../src/util/logger.js';
import { dovecotUnavailable, startDovecot } from '../test/support/dovecot.js';
import { makeEml } from '../test/support/make-eml.js';
import { median, percentile, round } from './support/stats.js';

const { values: flags } = parseArgs({ options: { count: { type: 'string', default: '20' } } });
const count = Number(flags.count);
const unavailable = dovecotUnavailable();
if (unavailable) {
  console.log(`skipped: ${unavailable}`);
  process.exit(0);
}

for (const variant of ['condstore', 'sweep'] as const) {
  const dovecot = await startDovecot(variant === 'sweep' ? { settings: 'imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ MOVE UIDPLUS' } : {});
  const db = await openDatabase({ url: undefined, path: '', pool_size: 1 }, { memory: true });
  await migrateToLatest(db);
  const user = dovecot.users[0]!;
  const person = await dovecot.client(user.user);
  const uids: number[] = [];
  for (let i = 0; i < count; i++) {
    const raw = makeEml({ subject: `Delay probe ${i}`, messageId: `<probe-${variant}-${i}@bench.example>` });
    const appended = await person.append('INBOX', raw, ['$Mailroom-Draft']);
    if (appended === false || !appended.uid) throw new Error('no UID from APPEND');
    const stored = await storeMessage(
      db,
      { mailbox: 'support', source: 'imap', raw, sizeBytes: raw.length, imap: { uidvalidity: Number(appended.uidValidity), uid: appended.uid } },
      { maxCleanChars: 6000, now: new Date() },
    );
    await sql`update messages set status = 'decided' where id = ${stored.id}`.execute(db);
    await sql`insert into decisions (email_id, action, reasons, flags, detector_matches, policy_version) values (${stored.id}, 'draft', '[]'::jsonb, '{"payment":false,"legal":false,"vip":false}'::jsonb, '[]'::jsonb, 'bench')`.execute(
      db,
    );
    await sql`insert into keyword_updates (id, email_id, mailbox, keyword, status) values (${`kw_${stored.id}`}, ${stored.id}, 'support', '$Mailroom-Draft', 'done')`.execute(db);
    uids.push(appended.uid);
  }
  const heard = new Map<string, number>();
  const config = configSchema.parse({
    mailboxes: [{ name: 'support', host: dovecot.host, port: dovecot.port, security: 'plain', user: user.user, password: user.password }],
    ingest: { keywords: true },
    // With CONDSTORE the sweep stays at its default: it is the net under a missed announcement.
    corrections: { sweep_interval: variant === 'sweep' ? '5s' : '60s' },
  });
  const watcher = startImapCorrections({ db, config, logger: silentLogger(), clock: systemClock, onEvent: () => {}, onCorrection: (c: RecordedCorrection) => heard.set(c.emailId, performance.now()) });
  await watcher.checkNow();
  const delays: number[] = [];
  for (const uid of uids) {
    const before = heard.size;
    const lock = await person.getMailboxLock('INBOX');
    const setAt = performance.now();
    try {
      await person.messageFlagsAdd(String(uid), ['$Mailroom-Ticket'], { uid: true });
    } finally {
      lock.release();
    }
    while (heard.size === before) await new Promise((r) => setTimeout(r, 20));
    delays.push([...heard.values()].at(-1)! - setAt);
  }
  console.log(
    `${variant === 'condstore' ? 'CONDSTORE + IDLE' : 'no CONDSTORE, sweep every 5 s'}: ${count} keyword corrections, delay p50 ${round(median(delays))} ms, p95 ${round(percentile(delays, 95))} ms, max ${round(Math.max(...delays))} ms`,
  );
  await watcher.stop();
  await person.logout().catch(() => {});
  await db.destroy();
  await dovecot.stop();
}
