import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { readRawMessage } from '../../src/db/index.js';
import { startMailboxWatchers } from '../../src/ingest/index.js';
import { detectOversize } from '../../src/prefilter/senders.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { FAST_TUNING, ingestConfig, makeMessage, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();

describeEachDatabase(
  'IMAP watcher: message over ingest.max_message_bytes',
  (getDb) => {
    let dovecot: PrivateDovecot;
    before(async () => {
      if (!skip) dovecot = await startDovecot();
    });
    after(async () => {
      await dovecot?.stop();
    });

    test('a 30 MB message is stored with its headers only; the next message follows', { skip, timeout: 120_000 }, async () => {
      const db = getDb();
      const user = dovecot.users[0]!.user;
      const config = ingestConfig(dovecot); // default limit: 25 MB
      const watchers = await startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'p1', tuning: FAST_TUNING });
      try {
        await waitFor('connect', () => watchers.status()[0]?.connected);
        await dovecot.append(user, 'INBOX', makeMessage('thirty megabytes', { bodyBytes: 30 * 1024 * 1024 }));
        await dovecot.append(user, 'INBOX', makeMessage('small one after it'));
        await waitFor('both stored', async () => (await storedSubjects(db)).length === 2, 60_000);
      } finally {
        await watchers.stop();
      }
      const rows = await db.selectFrom('messages').selectAll().orderBy('imap_uid').execute();
      const big = rows[0]!;
      assert.equal(big.subject, 'thirty megabytes');
      assert.equal(big.raw, null, 'the body was not downloaded');
      assert.equal(big.raw_path, null, 'nor stored as a file');
      assert.match(big.raw_headers ?? '', /^Subject: thirty megabytes$/m);
      assert.ok(Number(big.size_bytes) > 30 * 1024 * 1024, `size recorded from RFC822.SIZE: ${big.size_bytes}`);
      // The reason is recorded with the decision by the pipeline's oversize pre-filter, from these columns.
      const hit = detectOversize(Number(big.size_bytes), config.ingest.max_message_bytes);
      assert.ok(hit, 'the oversize pre-filter fires on the stored size');
      const small = await readRawMessage(db, rows[1]!.id);
      assert.ok(small?.bytes && small.bytes.length > 0);
    });
  },
  { kinds: ['pglite'] },
);
