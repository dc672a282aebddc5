import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { acquireLeases } from '../../src/ingest/lease.js';
import { type LeaseFollower, LeaseKeeper } from '../../src/ingest/lease-keeper.js';
import { DEFAULT_TUNING, MailboxWatcher } from '../../src/ingest/mailbox-watcher.js';
import { loginGate } from '../../src/ingest/start-mailbox-watchers.js';
import { silentLogger } from '../../src/util/logger.js';
import { createMetrics } from '../../src/util/metrics.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { cleanIngest, FAST_TUNING, ingestConfig, makeMessage, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();

// A renewal that comes late (a busy event loop or database) leaves the lease untrusted for a moment:
// the watcher stands by, and must watch again as soon as the keeper renews it — before this, a
// renewal that beat the lapse timer left it asleep for its whole standby (a minute), with nobody
// watching the mailbox.
describeEachDatabase('IMAP watcher: a late lease renewal', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot({ users: [{ user: 'support', password: 'right-password' }] });
  });
  after(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    if (!skip) await cleanIngest(getDb());
  });

  test('a watcher that stood by while its lease was untrusted watches again when the lease is renewed', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    await acquireLeases(db, { holder: 'p1', mailboxes: ['support'], lifeMs: 120_000 });
    const config = ingestConfig(dovecot, { ingest: { sweep_interval: '30s' } });
    const tuning = { ...DEFAULT_TUNING, ...FAST_TUNING };
    const gate = loginGate(config.ingest, tuning);
    let trusted = true;
    const watcher = new MailboxWatcher({
      db,
      mailbox: config.mailboxes[0]!,
      ingest: config.ingest,
      logger: silentLogger(),
      metrics: createMetrics({ defaultMetrics: false }),
      maxCleanChars: config.classifier.max_input_chars,
      processId: 'p1',
      tuning,
      gate,
      lease: { held: () => trusted, holder: () => 'p1' },
    });
    watcher.start();
    watcher.take();
    try {
      await waitFor('connect', () => watcher.status().connected);
      trusted = false;
      // New mail wakes the session, which finds the lease untrusted and stands by.
      await dovecot.append('support', 'INBOX', makeMessage('arrived while the renewal was late'));
      await waitFor('standby', () => watcher.status().state === 'standby');
      trusted = true;
      watcher.renewed();
      // Well within the standby's minute: it reconnects and sweeps at once.
      await waitFor('stored after the renewal', async () => (await storedSubjects(db)).length === 1, 15_000);
      assert.deepEqual(await storedSubjects(db), ['arrived while the renewal was late']);
      assert.equal(watcher.status().connected, true);
    } finally {
      await watcher.stop();
      gate.close();
    }
  });

  test('the lease keeper tells the watcher of each renewal', { skip, timeout: 30_000 }, async () => {
    const calls: string[] = [];
    const follower: LeaseFollower = {
      take: () => calls.push('take'),
      handOver: async () => {},
      lose: (reason) => calls.push(`lose: ${reason}`),
      renewed: () => calls.push('renewed'),
      busy: false,
      connected: true,
    };
    const keeper = new LeaseKeeper({ db: getDb(), holder: 'p1', mailboxes: ['support'], leaseTtlMs: 10_000, localProbeMs: 200, logger: silentLogger() });
    keeper.follow('support', follower);
    keeper.start();
    try {
      await waitFor('two renewals after the take', () => calls.filter((c) => c === 'renewed').length >= 2);
    } finally {
      keeper.drain();
      await keeper.release();
    }
    assert.equal(calls[0], 'take');
    assert.deepEqual(
      calls.filter((c) => c.startsWith('lose')),
      [],
    );
  });
});
