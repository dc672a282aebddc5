import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { releaseDeadLocalClaims } from '../../src/db/release-dead-local-claims.js';
import { silentLogger } from '../../src/util/logger.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function message(id: string, lockedBy: string | null) {
  return {
    id, thread_id: 'th', mailbox: 'support', source: 'imap' as const, message_id: null, sha256: id, size_bytes: 1, raw: Buffer.from('x'),
    raw_headers: null, from_address: null, from_name: null, subject: null, sent_at: null, imap_uid: null, imap_uidvalidity: null,
    error: null, locked_by: lockedBy, locked_at: lockedBy ? new Date() : null, raw_chars: null, clean_chars: null,
  };
}

describeEachDatabase('claims of dead local processes', (getDb) => {
  test('are released; claims of live processes and of other hosts are kept', async () => {
    const db = getDb();
    await truncateAll(db);
    const dead = `${hostname()}:${deadPid()}:run:abc`;
    const alive = `${hostname()}:${process.ppid}:run:def`;
    const otherHost = `elsewhere.example:${deadPid()}:run:ghi`;
    await db.insertInto('messages').values([message('em_dead', dead), message('em_alive', alive), message('em_other', otherHost)]).execute();
    await db.insertInto('ingest_leases').values({ mailbox: 'support', holder: dead, expires_at: new Date(Date.now() + 60_000) } as never).execute();

    const released = await releaseDeadLocalClaims(db, silentLogger(), { includeOwnPid: false });
    assert.equal(released, 1);
    const rows = await db.selectFrom('messages').select(['id', 'locked_by']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: 'em_alive', locked_by: alive },
      { id: 'em_dead', locked_by: null },
      { id: 'em_other', locked_by: otherHost },
    ]);
    assert.equal((await db.selectFrom('ingest_leases').selectAll().execute()).length, 0, 'the dead holder lost its mailbox lease');
  });

  test('at start-up, claims carrying our own pid are from a previous life and released', async () => {
    const db = getDb();
    await truncateAll(db);
    const previousLife = `${hostname()}:${process.pid}:run:old`;
    await db.insertInto('messages').values(message('em_mine', previousLife)).execute();
    assert.equal(await releaseDeadLocalClaims(db, silentLogger(), { includeOwnPid: false }), 0, 'not while running');
    assert.equal(await releaseDeadLocalClaims(db, silentLogger(), { includeOwnPid: true }), 1);
  });
});
