/**
 * A correction made from the CLI or the API shows in the mail client: the corrected action's
 * $Mailroom-* keyword is queued in the correction's transaction, set after the commit by the keyword
 * worker (Dovecot), with Mailroom's other keywords taken off; it is never read back as a correction.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ImapFlow } from 'imapflow';
import { configSchema, mailboxFacts } from '../../src/config/index.js';
import { listCorrections, recordCorrection, startImapCorrections } from '../../src/corrections/index.js';
import { keywordHandler } from '../../src/ingest/index.js';
import { storeMessage } from '../../src/ingest/store-message.js';
import { createRunner } from '../../src/queue/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { createPGliteDatabase, type TestDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { makeEml } from '../support/make-eml.js';
import { correctionContext, decide } from './fixtures.js';

const skip = dovecotSkip();

describe('the keyword of a correction made outside the mail client', { skip }, () => {
  let dovecot: PrivateDovecot;
  let database: TestDatabase;
  let person: ImapFlow;

  before(async () => {
    dovecot = await startDovecot();
    database = await createPGliteDatabase();
    person = await dovecot.client(dovecot.users[0]!.user);
  });
  after(async () => {
    await person?.logout().catch(() => {});
    await database?.drop();
    await dovecot?.stop();
  });

  const flagsOf = async (uid: number): Promise<string[]> => {
    const lock = await person.getMailboxLock('INBOX');
    try {
      await person.noop();
      const message = await person.fetchOne(String(uid), { flags: true }, { uid: true });
      return [...(message ? (message.flags ?? []) : [])].filter((f) => f.startsWith('$Mailroom')).sort();
    } finally {
      lock.release();
    }
  };

  test('set after the commit, the others taken off, a later correction wins, never read back', { timeout: 120_000 }, async () => {
    const db = database.db;
    const raw = makeEml({ subject: 'Export fails with error 500', messageId: '<kw-correction@azienda.example>' });
    const appended = await person.append('INBOX', raw, ['$Mailroom-Ticket']);
    if (appended === false || !appended.uid) throw new Error('the server gave no UID for the APPEND');
    const stored = await storeMessage(
      db,
      { mailbox: 'support', source: 'imap', raw, sizeBytes: raw.length, imap: { uidvalidity: Number(appended.uidValidity), uid: appended.uid } },
      { maxCleanChars: 6000, now: new Date() },
    );
    await decide(db, stored.id, 'ticket', 'support');
    const now = new Date();
    await db
      .insertInto('keyword_updates')
      .values({ id: `kw_${stored.id}`, email_id: stored.id, mailbox: 'support', keyword: '$Mailroom-Ticket', status: 'done', next_attempt_at: now, created_at: now, updated_at: now })
      .execute();

    const config = configSchema.parse({
      mailboxes: [{ name: 'support', host: dovecot.host, port: dovecot.port, security: 'plain', user: dovecot.users[0]!.user, password: dovecot.users[0]!.password }],
      ingest: { keywords: true },
      corrections: { sweep_interval: '10m' },
    });
    const handler = keywordHandler({ db, mailboxes: mailboxFacts(config), logger: silentLogger(), clock: systemClock });
    const keywords = createRunner({ db, workerId: 'test-keywords', clock: systemClock, logger: silentLogger() }, handler);
    const watcher = startImapCorrections({ db, config, logger: silentLogger(), clock: systemClock, onEvent: () => {} });
    const ctx = { ...correctionContext(db), keywords: true };
    try {
      // Without ingest.keywords nothing is queued.
      const quiet = await recordCorrection(correctionContext(db), { emailId: stored.id, action: 'draft', by: 'ann', via: 'cli' });
      assert.equal(quiet.effects.keyword, undefined);
      assert.equal((await db.selectFrom('keyword_updates').select('id').execute()).length, 1);

      const toReview = await recordCorrection(ctx, { emailId: stored.id, action: 'review', by: 'ann', via: 'cli' });
      assert.equal(toReview.effects.keyword, '$Mailroom-Review');
      assert.deepEqual(await flagsOf(appended.uid), ['$Mailroom-Ticket'], 'nothing touches the mailbox before the keyword worker runs');
      assert.deepEqual(
        (await keywords.drainOnce()).map((o) => o?.status),
        ['done'],
      );
      assert.deepEqual(await flagsOf(appended.uid), ['$Mailroom-Review'], 'the correction shows, the decision keyword is off');

      // Two corrections before the worker runs: the later one is what the mail client shows.
      await recordCorrection(ctx, { emailId: stored.id, action: 'ignore', by: 'bob', via: 'api' });
      await recordCorrection(ctx, { emailId: stored.id, action: 'ticket', by: 'ann', via: 'cli' });
      const outcomes = (await keywords.drainOnce()).map((o) => o?.status).sort();
      assert.deepEqual(outcomes, ['done', 'skipped']);
      assert.deepEqual(await flagsOf(appended.uid), ['$Mailroom-Ticket']);
      const ignoreRow = await db.selectFrom('keyword_updates').selectAll().where('keyword', '=', '$Mailroom-Ignore').executeTakeFirstOrThrow();
      assert.equal(ignoreRow.status, 'skipped');
      assert.match(ignoreRow.last_error ?? '', /a later correction .* stands/);

      // The mail client's watcher reads those keywords and records nothing: they are Mailroom's own.
      await watcher.checkNow();
      await watcher.checkNow();
      const all = await listCorrections(db, { limit: 10 });
      assert.equal(all.length, 4);
      assert.ok(all.every((c) => c.via === 'cli' || c.via === 'api'));
    } finally {
      await watcher.stop();
      await keywords.stop(2000);
      await handler.close();
    }
  });
});
