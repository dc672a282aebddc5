/**
 * Servers that are not Dovecot at its best, imitated by a private Dovecot: one whose IDLE announces
 * nothing until a command asks (Courier's default; here Dovecot without inotify), and one that
 * takes no custom keywords (PERMANENTFLAGS without \*, as Microsoft 365; here an ACL).
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { pino } from 'pino';
import { mailboxFacts } from '../../src/config/index.js';
import { createKeywordSupport, DECISION_KEYWORDS, enqueueKeyword, keywordHandler, NO_CUSTOM_KEYWORDS, startMailboxWatchers } from '../../src/ingest/index.js';
import { checkMailbox } from '../../src/ops/doctor/check-mailbox.js';
import { createRunner } from '../../src/queue/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { cleanIngest, FAST_TUNING, ingestConfig, makeMessage, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    }),
  );
  return { logger, messages: (pattern: RegExp) => lines.filter((l) => pattern.test(l.msg)) };
}

describeEachDatabase('a server whose IDLE announces new mail only when asked', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot({ lazyIdle: true });
  });
  after(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    if (!skip) await cleanIngest(getDb());
  });

  test('ingest.lazy_idle always: a NOOP every idle_poll brings new mail in seconds, which IDLE alone never announced', { skip }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    // A sweep every hour: only the NOOPs can bring the message in time.
    const config = ingestConfig(dovecot, { ingest: { sweep_interval: '1h', lazy_idle: 'always', idle_poll: '1s' } });
    const watchers = await startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'p1', tuning: FAST_TUNING });
    const bystander = await dovecot.client(user);
    try {
      await waitFor('the watcher to connect', () => watchers.status()[0]?.connected);
      assert.equal(watchers.status()[0]!.idle, 'poll');
      // A client of our own in IDLE on the same folder: this server's IDLE tells it nothing.
      await bystander.mailboxOpen('INBOX', { readOnly: true });
      let announced = 0;
      bystander.on('exists', () => announced++);
      void bystander.idle();
      await dovecot.append(user, 'INBOX', makeMessage('picked up by a NOOP'));
      await waitFor('the message to be stored', async () => (await storedSubjects(db)).length === 1, 20_000);
      assert.deepEqual(await storedSubjects(db), ['picked up by a NOOP']);
      assert.equal(announced, 0, 'the lazy IDLE announced nothing, so the NOOP found the message');
    } finally {
      await bystander.logout().catch(() => bystander.close());
      await watchers.stop();
    }
  });

  test('ingest.lazy_idle auto: a sweep that finds mail IDLE did not announce says so once and polls from then on', { skip }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    const { logger, messages } = capturedLogger();
    const config = ingestConfig(dovecot, { ingest: { sweep_interval: '2s', lazy_idle: 'auto', idle_poll: '1s' } });
    const watchers = await startMailboxWatchers({ db, config, logger, processId: 'p1', tuning: { ...FAST_TUNING, unannouncedGraceMs: 0 } });
    const client = await dovecot.client(user);
    try {
      await waitFor('the watcher to connect', () => watchers.status()[0]?.connected);
      assert.equal(watchers.status()[0]!.idle, 'push', 'IDLE is trusted until it is seen missing mail');
      // Past the catch-up sweep that follows the connect (mail it finds was never IDLE's to announce).
      await new Promise((r) => setTimeout(r, 1500));
      // Its INTERNALDATE half a minute back: a prompt IDLE would have announced it long before any sweep.
      await client.append('INBOX', makeMessage('not announced'), [], new Date(Date.now() - 30_000));
      await waitFor('a sweep to store it', async () => (await storedSubjects(db)).length === 1, 20_000);
      await waitFor('polling to start', () => watchers.status()[0]!.idle === 'poll', 5000);
      const said = messages(/IDLE did not announce/);
      assert.equal(said.length, 1, 'said once');
      assert.match(said[0]!.msg, /NOOP every 1 s \(ingest\.idle_poll\)/);
      await client.append('INBOX', makeMessage('again not announced'), [], new Date(Date.now() - 30_000));
      await dovecot.append(user, 'INBOX', makeMessage('new'));
      await waitFor('both stored', async () => (await storedSubjects(db)).length === 3, 20_000);
      assert.equal(messages(/IDLE did not announce/).length, 1, 'still said once');
    } finally {
      await client.logout().catch(() => client.close());
      await watchers.stop();
    }
  });
});

describeEachDatabase('a server that takes no custom keywords', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot({ keywords: false });
  });
  after(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    if (!skip) await cleanIngest(getDb());
  });

  test('said once at connect and by doctor; no keyword is sent, a queued one is skipped with the reason', { skip }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    const { logger, messages } = capturedLogger();
    const support = createKeywordSupport(logger);
    const config = ingestConfig(dovecot, { ingest: { sweep_interval: '1h', keywords: true } });
    const stored: string[] = [];
    const watchers = await startMailboxWatchers({ db, config, logger, processId: 'p1', tuning: FAST_TUNING, keywordSupport: support, onStored: (id) => stored.push(id) });
    try {
      await waitFor('the watcher to connect', () => watchers.status()[0]?.connected);
      assert.equal(support.refused('support'), true);
      assert.equal(messages(/accepts no custom keywords/).length, 1, 'said at connect');
      await dovecot.append(user, 'INBOX', makeMessage('decided on a server without keywords'));
      await waitFor('the message to be stored', () => stored.length === 1, 10_000);
    } finally {
      await watchers.stop();
    }
    await db.transaction().execute((trx) => enqueueKeyword(trx, { emailId: stored[0]!, mailbox: 'support', keyword: DECISION_KEYWORDS.ticket! }, new Date()));
    const drain = async (handler: ReturnType<typeof keywordHandler>) => {
      try {
        return await createRunner({ db, workerId: 'p1-keywords', clock: systemClock, logger: silentLogger() }, handler).drainOnce();
      } finally {
        await handler.close();
      }
    };
    // This process knows already: nothing goes to the server.
    assert.deepEqual(await drain(keywordHandler({ db, mailboxes: mailboxFacts(config), logger, clock: systemClock, support })), [{ status: 'skipped', reason: NO_CUSTOM_KEYWORDS }]);
    assert.equal(messages(/accepts no custom keywords/).length, 1, 'still said once');

    // A process that never watched the mailbox learns it from its own session's SELECT, and says it once.
    await db.updateTable('keyword_updates').set({ status: 'pending', next_attempt_at: new Date() }).execute();
    const other = capturedLogger();
    assert.deepEqual(await drain(keywordHandler({ db, mailboxes: mailboxFacts(config), logger: other.logger, clock: systemClock })), [{ status: 'skipped', reason: NO_CUSTOM_KEYWORDS }]);
    assert.equal(other.messages(/accepts no custom keywords/).length, 1);

    const checks = await checkMailbox(config.mailboxes[0]!, { keywords: true });
    const keywords = checks.find((c) => c.name === 'mailbox support keywords');
    assert.equal(keywords?.status, 'warn', JSON.stringify(checks));
    assert.match(keywords!.detail, /PERMANENTFLAGS without \\\*/);
  });
});
