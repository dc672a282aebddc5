/**
 * Several watcher sets on one database, each standing for a process: they share the mailboxes
 * fairly, hand surplus over when one joins, take over when one leaves or dies, and never have two
 * sessions of one mailbox at once — checked from the server's own log.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { after, before, beforeEach, test } from 'node:test';
import type { KyselyPlugin } from 'kysely';
import { type Config, configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { type MailboxWatchers, startMailboxWatchers } from '../../src/ingest/index.js';
import { mailboxSetDigest } from '../../src/ingest/lease.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { sessionOverlaps } from '../support/dovecot-sessions.js';
import { cleanIngest, FAST_TUNING, makeMessage, waitFor } from './helpers.js';

const skip = dovecotSkip();
const USERS = Array.from({ length: 6 }, (_, i) => ({ user: `share${i + 1}`, password: `pw-share${i + 1}` }));

function shareConfig(dovecot: PrivateDovecot): Config {
  return configSchema.parse({
    mailboxes: USERS.map(({ user, password }) => ({ name: user, host: dovecot.host, port: dovecot.port, security: 'plain', user, password })),
    ingest: { sweep_interval: '2s' },
  });
}

const connected = (w: MailboxWatchers) => w.status().filter((s) => s.connected).length;

describeEachDatabase('mailboxes shared between processes', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot({ users: USERS });
  });
  after(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    if (!skip) await cleanIngest(getDb());
  });

  test('a joining process gets its share by hand-over; one that leaves has its share taken; never two sessions of a mailbox', { skip, timeout: 120_000 }, async () => {
    const db = getDb();
    const since = Date.now();
    const config = shareConfig(dovecot);
    const start = (id: string) => startMailboxWatchers({ db, config, logger: silentLogger(), processId: id, tuning: FAST_TUNING });
    const a = start('proc-a');
    const sets = [a];
    try {
      await waitFor('the first process to watch every mailbox', () => connected(a) === 6, 30_000);
      const b = start('proc-b');
      sets.push(b);
      await waitFor('3 and 3', () => connected(a) === 3 && connected(b) === 3, 30_000);
      assert.equal(b.summary().share.target, 3);
      const c = start('proc-c');
      sets.push(c);
      await waitFor('2, 2 and 2', () => [a, b, c].every((w) => connected(w) === 2), 30_000);
      // Mail arriving now is stored once, by whoever watches its mailbox.
      for (const { user } of USERS) await dovecot.deliver(user, makeMessage(`for ${user}`));
      await waitFor('every message stored', async () => (await db.selectFrom('messages').select('id').execute()).length === 6, 30_000);

      await a.stop();
      sets.shift();
      await waitFor("the leaver's share taken by the others", () => connected(b) === 3 && connected(c) === 3, 30_000);
      const holders = await db.selectFrom('ingest_leases').select('holder').execute();
      assert.deepEqual(holders.map((h) => h.holder).sort(), ['proc-b', 'proc-b', 'proc-b', 'proc-c', 'proc-c', 'proc-c']);
      assert.equal((await db.selectFrom('ingest_processes').select('id').where('id', '=', 'proc-a').execute()).length, 0, 'a graceful stop unregisters');
    } finally {
      await Promise.all(sets.map((w) => w.stop()));
    }
    const { sessions, overlaps } = sessionOverlaps(dovecot.logFile, new Set(USERS.map((u) => u.user)), since);
    assert.ok(sessions >= 6 + 6, `sessions were handed over (${sessions} logged)`);
    assert.deepEqual(overlaps, [], 'no mailbox had two sessions at once');
    const rows = await db.selectFrom('messages').select(['mailbox', 'subject']).execute();
    assert.equal(rows.length, 6);
  });

  test('a process on this host that died: its mailboxes are taken at once, long before its leases expire', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    // A pid that was just used and is gone: the holder of leases that would last an hour.
    const gone = spawnSync('sh', ['-c', 'echo $$'], { encoding: 'utf8' }).stdout.trim();
    const dead = `${hostname()}:${gone}:dead01`;
    const hour = new Date(Date.now() + 3_600_000);
    await db
      .insertInto('ingest_processes')
      .values({ id: dead, expires_at: hour, mailboxes: 6, mailbox_set: mailboxSetDigest(USERS.map((u) => u.user)) })
      .execute();
    await db
      .insertInto('ingest_leases')
      .values(USERS.map(({ user }) => ({ mailbox: user, holder: dead, expires_at: hour })))
      .execute();
    const config = shareConfig(dovecot);
    const survivor = startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'proc-survivor', tuning: { ...FAST_TUNING, leaseTtlMs: 60_000 } });
    try {
      await waitFor('every mailbox watched by the survivor', () => connected(survivor) === 6, 20_000);
      assert.deepEqual(await db.selectFrom('ingest_processes').select('id').where('id', '=', dead).execute(), [], 'the dead process is unregistered');
    } finally {
      await survivor.stop();
    }
  });

  test('standing by costs one statement per cycle, whatever the number of mailboxes', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements += 1;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const config = shareConfig(dovecot);
    const holder = startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'proc-holder', tuning: FAST_TUNING });
    let standby: MailboxWatchers | null = null;
    try {
      await waitFor('the holder to watch every mailbox', () => connected(holder) === 6, 30_000);
      // Configured with one of the six: shares with nobody (another list), so it stands by and the holder keeps all six.
      const standbyConfig = { ...config, mailboxes: config.mailboxes.slice(0, 1) };
      standby = startMailboxWatchers({ db: (db as Db).withPlugin(counting), config: standbyConfig, logger: silentLogger(), processId: 'proc-standby', tuning: FAST_TUNING });
      await waitFor('a few cycles', () => (standby?.summary().share.cycles ?? 0) >= 3, 20_000);
      const cyclesBefore = standby.summary().share.cycles;
      const statementsBefore = statements;
      await waitFor('ten more cycles', () => (standby?.summary().share.cycles ?? 0) >= cyclesBefore + 10, 20_000);
      const cycles = standby.summary().share.cycles - cyclesBefore;
      assert.equal(standby.status()[0]!.state, 'standby');
      assert.equal(connected(holder), 6, 'a process configured otherwise does not make the holder hand over');
      assert.ok(statements - statementsBefore <= cycles + 1, `${statements - statementsBefore} statements in ${cycles} cycles`);
    } finally {
      await Promise.all([holder.stop(), standby?.stop()]);
    }
  });
});
