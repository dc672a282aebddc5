import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { releaseDeadLocalLeases } from '../../src/ingest/index.js';
import { releaseDeadLocalClaims } from '../../src/queue/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

function message(id: string, lockedBy: string | null) {
  return {
    id,
    thread_id: 'th',
    mailbox: 'support',
    source: 'imap' as const,
    message_id: null,
    sha256: id,
    size_bytes: 1,
    raw: Buffer.from('x'),
    raw_headers: null,
    from_address: null,
    from_name: null,
    subject: null,
    sent_at: null,
    imap_uid: null,
    imap_uidvalidity: null,
    last_error: null,
    locked_by: lockedBy,
    locked_at: lockedBy ? new Date() : null,
    raw_chars: null,
    clean_chars: null,
  };
}

describeEachDatabase('queue claims of dead local processes', (getDb) => {
  test('are released; claims of live processes and of other hosts are kept', async () => {
    const db = getDb();
    await truncateAll(db);
    const dead = `${hostname()}:${deadPid()}:run:abc`;
    const alive = `${hostname()}:${process.ppid}:run:def`;
    const otherHost = `elsewhere.example:${deadPid()}:run:ghi`;
    await db
      .insertInto('messages')
      .values([message('em_dead', dead), message('em_alive', alive), message('em_other', otherHost)])
      .execute();
    await db
      .insertInto('ingest_leases')
      .values({ mailbox: 'support', holder: dead, expires_at: new Date(Date.now() + 60_000) } as never)
      .execute();

    assert.deepEqual(await releaseDeadLocalClaims(db, { ownPid: false }), [dead]);
    const rows = await db.selectFrom('messages').select(['id', 'locked_by']).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: 'em_alive', locked_by: alive },
      { id: 'em_dead', locked_by: null },
      { id: 'em_other', locked_by: otherHost },
    ]);
    assert.deepEqual(await releaseDeadLocalLeases(db, { ownPid: false }), [dead]);
    assert.equal((await db.selectFrom('ingest_leases').selectAll().execute()).length, 0, 'the dead holder lost its mailbox lease');
  });

  test('at start-up, claims carrying our own pid are from a previous life and released', async () => {
    const db = getDb();
    await truncateAll(db);
    const previousLife = `${hostname()}:${process.pid}:run:old`;
    await db.insertInto('messages').values(message('em_mine', previousLife)).execute();
    assert.deepEqual(await releaseDeadLocalClaims(db, { ownPid: false }), [], 'not while running');
    assert.deepEqual(await releaseDeadLocalClaims(db, { ownPid: true }), [previousLife]);
  });
});
