import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { mailboxFacts } from '../../src/config/index.js';
import { readRawMessage } from '../../src/db/index.js';
import { DECISION_KEYWORDS, enqueueKeyword, keywordHandler, startMailboxWatchers } from '../../src/ingest/index.js';
import { createRunner } from '../../src/queue/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { cleanIngest, FAST_TUNING, ingestConfig, makeMessage, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();

describeEachDatabase('IMAP watcher: IDLE and first start', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot();
  });
  after(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    if (!skip) await cleanIngest(getDb());
  });

  test('takes only new mail on the first start and stores an APPENDed message within seconds, unread', { skip }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    await dovecot.append(user, 'INBOX', makeMessage('old mail, before the first start'));
    const stored: string[] = [];
    const config = ingestConfig(dovecot, { ingest: { sweep_interval: '10m', keywords: true } });
    const watchers = await startMailboxWatchers({
      db,
      config,
      logger: silentLogger(),
      processId: 'p1',
      tuning: FAST_TUNING,
      onStored: (id) => stored.push(id),
    });
    try {
      await waitFor('the watcher to connect', () => watchers.status()[0]?.connected);
      // The sweep interval is 10 minutes: only IDLE can bring this message in time.
      await dovecot.append(user, 'INBOX', makeMessage('new mail while watching'));
      await waitFor('the new message to be stored', () => stored.length === 1, 10_000);
      assert.deepEqual(await storedSubjects(db), ['new mail while watching']);
      const row = await db.selectFrom('messages').selectAll().executeTakeFirstOrThrow();
      assert.equal(row.id, stored[0]);
      assert.equal(row.source, 'imap');
      assert.equal(Number(row.imap_uid), 2);
      const original = await readRawMessage(db, row.id);
      assert.ok(original?.bytes && original.bytes.length > 0, 'the whole message is stored');
      const status = watchers.status()[0]!;
      assert.equal(status.leaseHeld, true);
      assert.equal(status.lastUid, 2);

      // The decision's keyword goes through the queue: queued with the decision, set after it.
      await db.transaction().execute((trx) => enqueueKeyword(trx, { emailId: row.id, mailbox: 'support', keyword: DECISION_KEYWORDS.ticket! }, new Date()));
      const handler = keywordHandler({ db, mailboxes: mailboxFacts(config), logger: silentLogger(), clock: systemClock });
      const outcomes = await createRunner({ db, workerId: 'p1-keywords', clock: systemClock, logger: silentLogger() }, handler)
        .drainOnce()
        .finally(() => handler.close());
      assert.deepEqual(outcomes, [{ status: 'done' }]);
      assert.equal(DECISION_KEYWORDS.ignore, undefined, 'ignore has no keyword');

      const client = await dovecot.client(user);
      try {
        await client.mailboxOpen('INBOX', { readOnly: true });
        const flags = new Map((await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true })).map((m) => [m.uid, [...(m.flags ?? [])]]));
        assert.ok(!flags.get(2)!.includes('\\Seen'), 'Mailroom never marks mail as read');
        assert.ok(flags.get(2)!.includes('$Mailroom-Ticket'), `keyword set, flags: ${flags.get(2)}`);
        assert.deepEqual(flags.get(1), [], 'the old message is untouched');
      } finally {
        await client.logout();
      }
    } finally {
      await watchers.stop();
    }
    const lease = await db.selectFrom('ingest_leases').selectAll().execute();
    assert.deepEqual(lease, [], 'a clean stop releases the lease');
  });

  test('a restarted watcher resumes from its cursor: mail that arrived while it was down is stored, nothing twice', { skip }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    const config = ingestConfig(dovecot);
    let watchers = await startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'p1', tuning: FAST_TUNING });
    await waitFor('connect', () => watchers.status()[0]?.connected);
    await dovecot.append(user, 'INBOX', makeMessage('A'));
    await waitFor('A stored', async () => (await storedSubjects(db)).includes('A'));
    await watchers.stop();
    await dovecot.append(user, 'INBOX', makeMessage('B, while down'));
    watchers = await startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'p2', tuning: FAST_TUNING });
    try {
      await waitFor('B stored', async () => (await storedSubjects(db)).includes('B, while down'));
      await dovecot.append(user, 'INBOX', makeMessage('C'));
      await waitFor('C stored', async () => (await storedSubjects(db)).includes('C'));
      assert.deepEqual(await storedSubjects(db), ['A', 'B, while down', 'C']);
    } finally {
      await watchers.stop();
    }
  });
});
