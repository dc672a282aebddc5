/**
 * One login gate for every IMAP session of a process (watchers, keyword STOREs, drafts elsewhere),
 * watchers first; and a takeover from a holder whose pid cannot be checked (another host) within
 * ingest.lease_ttl, never before its lease expired. Against a private Dovecot, on both databases.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { type Config, configSchema, mailboxFacts } from '../../src/config/index.js';
import { DECISION_KEYWORDS, enqueueKeyword, keywordHandler, loginGate, type MailboxWatchers, startMailboxWatchers } from '../../src/ingest/index.js';
import { createRunner } from '../../src/queue/index.js';
import { systemClock } from '../../src/util/clock.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, startDovecot } from '../support/dovecot.js';
import { sampleSessions, sessionOverlaps } from '../support/dovecot-sessions.js';
import { cleanIngest, FAST_TUNING, ingestConfig, makeMessage, waitFor } from './helpers.js';

const skip = dovecotSkip();
const USERS = Array.from({ length: 3 }, (_, i) => ({ user: `gate${i + 1}`, password: `pw-gate${i + 1}` }));

function sharedConfig(dovecot: PrivateDovecot): Config {
  return configSchema.parse({
    mailboxes: USERS.map(({ user, password }) => ({ name: user, host: dovecot.host, port: dovecot.port, security: 'plain', user, password })),
    ingest: { sweep_interval: '2s' },
  });
}

const connected = (w: MailboxWatchers) => w.status().filter((s) => s.connected).length;

describeEachDatabase('one login gate; takeover from a holder on another host', (getDb) => {
  let dovecot: PrivateDovecot;
  before(async () => {
    if (!skip) dovecot = await startDovecot({ users: [{ user: 'support', password: 'support-pass' }, ...USERS] });
  });
  after(async () => {
    await dovecot?.stop();
  });
  beforeEach(async () => {
    if (!skip) await cleanIngest(getDb());
  });

  test('with connect_concurrency 1, a keyword session and a watcher queue at the same gate; the watcher logs in first', { skip, timeout: 60_000 }, async () => {
    const db = getDb();
    const user = dovecot.users[0]!.user;
    const config = ingestConfig(dovecot, { ingest: { keywords: true, connect_concurrency: 1 } });
    const gate = loginGate(config.ingest, FAST_TUNING);
    const server = `${dovecot.host}:${dovecot.port}`;
    // A message to set a keyword on, stored by a first watcher that then stops (and logs out).
    const first = startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'gate-p1', tuning: FAST_TUNING, gate });
    await waitFor('the first watcher to connect', () => first.status()[0]?.connected);
    await dovecot.append(user, 'INBOX', makeMessage('keyword me'));
    const row = await waitFor('the message stored', () => db.selectFrom('messages').select('id').executeTakeFirst(), 15_000);
    await first.stop();
    await db.transaction().execute((trx) => enqueueKeyword(trx, { emailId: row.id, mailbox: 'support', keyword: DECISION_KEYWORDS.ticket! }, new Date()));

    // The only slot is taken: whatever logs in now must wait for it, in the order the gate decides.
    const held = await gate.acquire(server);
    assert.ok(held);
    const granted: string[] = [];
    const acquire = gate.acquire.bind(gate);
    gate.acquire = (s, signal, options) =>
      acquire(s, signal, options).then((slot) => {
        if (slot) granted.push(options?.urgent ? 'watcher' : 'keyword');
        return slot;
      });
    const handler = keywordHandler({ db, mailboxes: mailboxFacts(config), logger: silentLogger(), clock: systemClock, gate });
    const keywordPass = createRunner({ db, workerId: 'gate-keywords', clock: systemClock, logger: silentLogger() }, handler).drainOnce();
    await waitFor('the keyword session to wait for a login slot', () => gate.status().queued === 1);
    const second = startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'gate-p2', tuning: FAST_TUNING, gate });
    try {
      await waitFor('the watcher to wait for a login slot too', () => gate.status().queued === 2);
      assert.equal(sampleSessions(dovecot.port, new Set([user])).withSession, 0, 'no session on the server while the slot is taken');
      assert.equal(second.summary().waiting, 1);
      held.succeeded();
      assert.deepEqual(await keywordPass, [{ status: 'done' }]);
      await waitFor('the watcher to connect', () => second.status()[0]?.connected);
      assert.deepEqual(granted, ['watcher', 'keyword'], 'the watcher came second but logged in first');
    } finally {
      await handler.close();
      await second.stop();
      gate.close();
    }
    const client = await dovecot.client(user);
    try {
      await client.mailboxOpen('INBOX', { readOnly: true });
      const message = await client.fetchOne('*', { flags: true });
      assert.ok(message && message.flags?.has(DECISION_KEYWORDS.ticket!) === true, 'the keyword is on the message');
    } finally {
      await client.logout();
    }
  });

  test('a holder on another host that stops renewing: its mailboxes are taken once its leases expired, within lease_ttl of its last renewal', { skip, timeout: 90_000 }, async () => {
    const db = getDb();
    const since = Date.now();
    const config = sharedConfig(dovecot);
    const leaseTtlMs = 10_000;
    const tuning = { ...FAST_TUNING, leaseTtlMs };
    // Not this host's name: its pid cannot be checked, only its leases' expiry tells it is gone.
    const remote = 'mailroom-elsewhere.example:4242:abcdef';
    const frozen = startMailboxWatchers({ db, config, logger: silentLogger(), processId: remote, tuning });
    let survivor: MailboxWatchers | null = null;
    try {
      await waitFor('the remote process to watch every mailbox', () => connected(frozen) === USERS.length, 30_000);
      await frozen.freeze();
      const last = await db.selectFrom('ingest_leases').select(['mailbox', 'renewed_at', 'expires_at']).where('holder', '=', remote).execute();
      assert.equal(last.length, USERS.length);
      survivor = startMailboxWatchers({ db, config, logger: silentLogger(), processId: 'proc-survivor', tuning });
      const s = survivor;
      await waitFor('the survivor to watch every mailbox', () => connected(s) === USERS.length, 30_000);
      const taken = await db.selectFrom('ingest_leases').select(['mailbox', 'holder', 'acquired_at']).execute();
      for (const lease of taken) {
        const before = last.find((l) => l.mailbox === lease.mailbox)!;
        assert.equal(lease.holder, 'proc-survivor');
        assert.ok(lease.acquired_at >= before.expires_at, `${lease.mailbox}: taken only after the remote lease expired`);
        assert.ok(
          lease.acquired_at.getTime() < before.renewed_at.getTime() + leaseTtlMs,
          `${lease.mailbox}: taken ${lease.acquired_at.getTime() - before.renewed_at.getTime()} ms after the last renewal, within lease_ttl (${leaseTtlMs} ms)`,
        );
      }
    } finally {
      await survivor?.stop();
      await frozen.stop();
    }
    const { overlaps } = sessionOverlaps(dovecot.logFile, new Set(USERS.map((u) => u.user)), since);
    assert.deepEqual(overlaps, [], 'no mailbox had two sessions at once');
  });
});
