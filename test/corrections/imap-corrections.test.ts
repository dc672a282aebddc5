import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { configSchema } from '../../src/config/index.js';
import { type ImapCorrections, listCorrections, type RecordedCorrection, startImapCorrections } from '../../src/corrections/index.js';
import type { Db } from '../../src/db/index.js';
import { storeMessage } from '../../src/ingest/store-message.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitFor } from '../ingest/helpers.js';
import { createPGliteDatabase, type TestDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { makeEml } from '../support/make-eml.js';
import { decide } from './fixtures.js';

const skip = dovecotSkip();

/**
 * A person corrects in their mail client: the test's own imapflow session plays the client
 * (STORE +FLAGS, MOVE), Mailroom's correction watcher runs beside it on another connection.
 */
for (const variant of ['condstore', 'no-condstore'] as const) {
  describe(`corrections from the mail client (${variant})`, { skip }, () => {
    let dovecot: PrivateDovecot;
    let database: TestDatabase;
    let person: ImapFlow;
    let watcher: ImapCorrections;
    const heard: RecordedCorrection[] = [];

    before(async () => {
      // Without CONDSTORE the server announces nothing Mailroom can fetch by modseq: it sweeps.
      dovecot = await startDovecot(variant === 'no-condstore' ? { settings: 'imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ MOVE UIDPLUS' } : {});
      database = await createPGliteDatabase();
      person = await dovecot.client(dovecot.users[0]!.user);
      await person.mailboxCreate('Mailroom/Ignore').catch(() => {});
    });
    after(async () => {
      await watcher?.stop();
      await person?.logout().catch(() => {});
      await database?.drop();
      await dovecot?.stop();
    });

    /** APPENDs a message, stores it as ingest would (with its UID) and decides it. */
    async function decidedImapEmail(db: Db, action: 'ticket' | 'draft' | 'review', subject: string, mailroomKeyword?: string): Promise<{ id: string; uid: number }> {
      const raw = makeEml({ subject, messageId: `<${subject.replace(/\W/g, '')}@azienda.example>` });
      // The person's own session appends: UIDPLUS answers with the UID the server gave it.
      const appended = await person.append('INBOX', raw, mailroomKeyword ? [mailroomKeyword] : []);
      if (appended === false || !appended.uid) throw new Error('the server gave no UID for the APPEND');
      const uid = appended.uid;
      const uidvalidity = Number(appended.uidValidity);
      const stored = await storeMessage(db, { mailbox: 'support', source: 'imap', raw, sizeBytes: raw.length, imap: { uidvalidity, uid } }, { maxCleanChars: 6000, now: new Date() });
      await decide(db, stored.id, action, 'support');
      if (mailroomKeyword) {
        await db
          .insertInto('keyword_updates')
          .values({
            id: `kw_${stored.id}`,
            email_id: stored.id,
            mailbox: 'support',
            keyword: mailroomKeyword,
            status: 'done',
            next_attempt_at: new Date(),
            created_at: new Date(),
            updated_at: new Date(),
          })
          .execute();
      }
      return { id: stored.id, uid };
    }

    test('a keyword set by a person is a correction; the keyword Mailroom set is never read back as one; a folder move is one', async () => {
      const db = database.db;
      const drafted = await decidedImapEmail(db, 'draft', 'Login broken since today', '$Mailroom-Draft');
      const ticket = await decidedImapEmail(db, 'ticket', 'Export fails with error 500', '$Mailroom-Ticket');
      const moved = await decidedImapEmail(db, 'review', 'Weekly digest of your account', '$Mailroom-Review');
      const config = configSchema.parse({
        mailboxes: [{ name: 'support', host: dovecot.host, port: dovecot.port, security: 'plain', user: dovecot.users[0]!.user, password: dovecot.users[0]!.password }],
        ingest: { keywords: true },
        corrections: { folders: { ignore: 'Mailroom/Ignore' }, sweep_interval: variant === 'condstore' ? '10m' : '1s' },
      });
      watcher = startImapCorrections({ db, config, logger: silentLogger(), clock: systemClock, onEvent: () => {}, onCorrection: (c) => heard.push(c) });
      await watcher.checkNow();
      assert.equal((await listCorrections(db, { limit: 10 })).length, 0, "Mailroom's own keywords are not corrections");

      // The person replaces Mailroom's $Mailroom-Draft with $Mailroom-Ticket.
      const lock = await person.getMailboxLock('INBOX');
      try {
        await person.messageFlagsRemove(String(drafted.uid), ['$Mailroom-Draft'], { uid: true });
        await person.messageFlagsAdd(String(drafted.uid), ['$Mailroom-Ticket'], { uid: true });
      } finally {
        lock.release();
      }
      // With CONDSTORE the change is announced in IDLE and read at once (no sweep for 10 minutes);
      // without it, the next sweep (1 s here) reads it.
      const keyword = await waitFor('the keyword correction', () => heard.find((c) => c.emailId === drafted.id), 15_000);
      assert.deepEqual([keyword.from, keyword.to, keyword.via, keyword.by], ['draft', 'ticket', 'imap_keyword', dovecot.users[0]!.user]);

      const moveLock = await person.getMailboxLock('INBOX');
      try {
        await person.messageMove(String(moved.uid), 'Mailroom/Ignore', { uid: true });
      } finally {
        moveLock.release();
      }
      await watcher.checkNow();
      const folder = await waitFor('the folder correction', () => heard.find((c) => c.emailId === moved.id), 15_000);
      assert.deepEqual([folder.from, folder.to, folder.via], ['review', 'ignore', 'imap_folder']);

      // Seen again by later checks, nothing is recorded twice; the ticket Mailroom marked is untouched.
      await watcher.checkNow();
      await watcher.checkNow();
      const all = await listCorrections(db, { limit: 10 });
      assert.deepEqual(all.map((c) => c.email_id).sort(), [drafted.id, moved.id].sort());
      assert.ok(!all.some((c) => c.email_id === ticket.id));
      const cursor = await db.selectFrom('correction_cursors').selectAll().where('folder', '=', 'INBOX').executeTakeFirstOrThrow();
      if (variant === 'condstore') assert.notEqual(cursor.modseq, '0', 'with CONDSTORE the next check fetches only what changed since this modseq');
      else assert.equal(cursor.modseq, '0', 'without CONDSTORE every check is a sweep');
    });
  });
}
