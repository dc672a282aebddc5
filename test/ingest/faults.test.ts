import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, beforeEach, test } from 'node:test';
import { pino } from 'pino';
import { readCursor } from '../../src/ingest/cursor.js';
import { loginGate, startMailboxWatchers } from '../../src/ingest/index.js';
import { acquireLeases } from '../../src/ingest/lease.js';
import { type LeaseFollower, LeaseKeeper } from '../../src/ingest/lease-keeper.js';
import { DEFAULT_TUNING, MailboxWatcher } from '../../src/ingest/mailbox-watcher.js';
import { silentLogger } from '../../src/util/logger.js';
import { createMetrics } from '../../src/util/metrics.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { appendMany, cleanIngest, duplicateMessageIds, FAST_TUNING, ingestConfig, makeMessage, messageCount, storedSubjects, waitFor } from './helpers.js';

const skip = dovecotSkip();

function captureLogger() {
  const lines: Array<{ level: number; msg: string }> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describeEachDatabase('IMAP watcher: faults', (getDb) => {
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

  test('connections killed mid-fetch: resumes, nothing lost, nothing stored twice', { skip, timeout: 120_000 }, async () => {
    const db = getDb();
    const total = 600;
    // The burst is in the folder before the watcher starts (taken by ingest.backfill), so it is
    // still fetching at each threshold: with the watcher running during the APPENDs a fast database
    // kept up with them, and there was nothing left to interrupt. A folder of its own holds only the burst.
    const admin = await dovecot.client('support');
    await admin.mailboxCreate('Burst');
    await admin.logout();
    await appendMany(
      dovecot,
      'support',
      'Burst',
      Array.from({ length: total }, (_, i) => makeMessage(`burst ${i}`)),
      4,
    );
    const watchers = await startMailboxWatchers({
      db,
      config: ingestConfig(dovecot, { folder: 'Burst', ingest: { fetch_batch: 25, sweep_interval: '1s', backfill: '1d' } }),
      logger: silentLogger(),
      processId: 'p1',
      // The lease is not what this test is about: at 1.5 s a loaded machine (CI) lost it every few
      // seconds, and a watcher between sessions at each threshold left nothing to kill.
      tuning: { ...FAST_TUNING, leaseTtlMs: 10_000 },
    });
    try {
      // A watcher that is reconnecting has no session for a moment: wait for its next one (-1: all
      // mail was stored meanwhile, nothing left to interrupt).
      const killWhileBusy = () => waitFor('a session to kill', async () => dovecot.killSessions('support') || ((await messageCount(db)) >= total ? -1 : 0), 10_000, 20).then((n) => Math.max(0, n));
      let kills = 0;
      for (const threshold of [50, 200, 400]) {
        await waitFor(`${threshold} stored`, async () => (await messageCount(db)) >= threshold, 60_000, 10);
        if ((await messageCount(db)) < total) kills += await killWhileBusy();
      }
      assert.ok(kills >= 1, 'at least one IMAP session was killed while the watcher was busy');
      await waitFor('every message stored', async () => (await messageCount(db)) === total, 60_000, 100);
      await waitFor('the watcher to reconnect', () => watchers.status()[0]?.connected);
    } finally {
      await watchers.stop();
    }
    assert.deepEqual(await duplicateMessageIds(db), []);
    assert.equal((await readCursor(db, 'support'))?.lastUid, total);
  });

  test('Dovecot restarted: reconnects with backoff and stores mail that arrived meanwhile', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    const { logger, lines } = captureLogger();
    const watchers = await startMailboxWatchers({ db, config: ingestConfig(dovecot), logger, processId: 'p1', tuning: FAST_TUNING });
    try {
      await waitFor('connect', () => watchers.status()[0]?.connected);
      await dovecot.append('support', 'INBOX', makeMessage('before restart'));
      await waitFor('first stored', async () => (await messageCount(db)) === 1);
      await dovecot.restart();
      await dovecot.append('support', 'INBOX', makeMessage('after restart'));
      await waitFor('stored after restart', async () => (await storedSubjects(db)).includes('after restart'), 30_000);
      assert.equal(watchers.status()[0]?.connected, true);
    } finally {
      await watchers.stop();
    }
    assert.deepEqual(await storedSubjects(db), ['before restart', 'after restart']);
    assert.ok(
      lines.some((l) => /connection failed or dropped/.test(l.msg)),
      `the drop is logged: ${lines.map((l) => l.msg).join(' | ')}`,
    );
    assert.equal(lines.filter((l) => /connected, watching/.test(l.msg)).length, 2, 'connected is logged once per (re)connection');
  });

  test('a wrong password: says so once, keeps retrying slowly, never crashes', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    const { logger, lines } = captureLogger();
    const watchers = await startMailboxWatchers({
      db,
      config: ingestConfig(dovecot, { password: 'wrong-password' }),
      logger,
      processId: 'p1',
      tuning: { ...FAST_TUNING, authRetryMs: 300 },
    });
    try {
      const failedLogins = () => (dovecot.log().match(/auth failed|Disconnected \(auth failed/g) ?? []).length;
      const startLogins = failedLogins();
      // Dovecot's auth penalty (per client IP, growing) spaces repeated failures ~4 s apart.
      await waitFor('repeated rejected logins', () => failedLogins() - startLogins >= 2, 30_000);
      const status = watchers.status()[0]!;
      assert.equal(status.connected, false);
      assert.equal(status.state, 'reconnecting');
      assert.match(status.lastError ?? '', /rejected the user name or password.*check mailboxes\[\]\.user and password.*retrying every/);
      assert.ok(!(status.lastError ?? '').includes('wrong-password'), 'the password never appears in an error');
      const authLines = lines.filter((l) => /rejected the user name or password/.test(l.msg));
      assert.equal(authLines.length, 1, 'logged once, not once per attempt');
      assert.ok(!JSON.stringify(lines).includes('wrong-password'), 'the password never reaches the log');
    } finally {
      await watchers.stop();
    }
    assert.equal(await messageCount(db), 0);
  });

  test('refuses a plain (unencrypted) login to a non-loopback host before connecting', { skip }, async () => {
    const config = ingestConfig(dovecot);
    config.mailboxes[0]!.host = 'imap.example.com';
    assert.throws(() => startMailboxWatchers({ db: getDb(), config, logger: silentLogger(), processId: 'p1' }), /security "plain" would send the password unencrypted.*loopback/);
  });

  // A renewal that comes late (a busy event loop or database) leaves the lease untrusted for a moment:
  // the watcher stands by, and must watch again as soon as the keeper renews it — before this, a
  // renewal that beat the lapse timer left it asleep for its whole standby (a minute), with nobody
  // watching the mailbox.
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
