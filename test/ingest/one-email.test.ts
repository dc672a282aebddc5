/**
 * One email, one decision: the same message stored through several doors (two mailboxes with
 * different header bytes, a triage file) is one messages row with sightings, on both databases.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sql } from 'kysely';
import { listWaitingMessages } from '../../src/api/index.js';
import { splitSqlStatements } from '../../src/db/index.js';
import { storeMessage } from '../../src/ingest/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { makeEml } from '../support/make-eml.js';
import { PROJECT_ROOT } from '../support/run-cli.js';

const options = () => ({ maxCleanChars: 20_000, now: new Date() });

/** The same sending as each server stores it: only the trace headers differ. */
function copyFor(eml: Buffer, mailbox: string): Buffer {
  return Buffer.concat([Buffer.from(`Delivered-To: ${mailbox}@mailroom.example\r\nReceived: from mx.example by ${mailbox}.example; Mon, 23 Nov 2026 09:14:00 +0100\r\n`), eml]);
}

describeEachDatabase('one email, one row', (getDb) => {
  test('the same Message-ID and sender through two mailboxes and a file is one email with two sightings', async () => {
    const db = getDb();
    await truncateAll(db);
    const eml = makeEml({ messageId: '<same.1@azienda.example>', to: 'support@mailroom.example', headers: { Cc: 'sales@mailroom.example' } });
    const first = await storeMessage(db, { mailbox: 'support', source: 'imap', raw: copyFor(eml, 'support'), sizeBytes: 900, imap: { uidvalidity: 1, uid: 7 } }, options());
    const second = await storeMessage(db, { mailbox: 'sales', source: 'imap', raw: copyFor(eml, 'sales'), sizeBytes: 901, imap: { uidvalidity: 1, uid: 3 } }, options());
    const third = await storeMessage(db, { mailbox: 'triage', source: 'file', raw: eml, sizeBytes: eml.length }, options());
    assert.equal(first.created, true);
    assert.deepEqual(second, { id: first.id, created: false, sighting: true });
    assert.deepEqual(third, { id: first.id, created: false, sighting: true });
    // The same arrival again (a re-scan) is neither a new email nor a new sighting.
    const again = await storeMessage(db, { mailbox: 'sales', source: 'imap', raw: copyFor(eml, 'sales'), sizeBytes: 901, imap: { uidvalidity: 2, uid: 1 } }, options());
    assert.equal(again.id, first.id);
    const messages = await db.selectFrom('messages').select(['id', 'mailbox']).execute();
    assert.deepEqual(messages, [{ id: first.id, mailbox: 'support' }]);
    const rows = await db.selectFrom('message_sightings').select(['email_id', 'mailbox', 'source', 'imap_uid']).orderBy('id').execute();
    const sightings = rows.map((r) => ({ ...r, imap_uid: r.imap_uid === null ? null : Number(r.imap_uid) }));
    assert.deepEqual(sightings, [
      { email_id: first.id, mailbox: 'sales', source: 'imap', imap_uid: 3 },
      { email_id: first.id, mailbox: 'triage', source: 'file', imap_uid: null },
    ]);
  });

  test('another sender reusing the Message-ID is another email', async () => {
    const db = getDb();
    await truncateAll(db);
    const a = await storeMessage(db, { mailbox: 'support', source: 'imap', raw: makeEml({ messageId: '<reused@x>' }), sizeBytes: 1 }, options());
    const b = await storeMessage(db, { mailbox: 'support', source: 'imap', raw: makeEml({ messageId: '<reused@x>', from: 'Mallory <mallory@evil.example>' }), sizeBytes: 1 }, options());
    assert.equal(a.created && b.created, true);
    assert.notEqual(a.id, b.id);
  });

  test('without a Message-ID the content hash joins copies with other trace headers, not other emails', async () => {
    const db = getDb();
    await truncateAll(db);
    const withoutId = (body: string) =>
      Buffer.from(
        makeEml({ body })
          .toString()
          .replace(/^Message-ID: .*\r\n/m, ''),
      );
    const eml = withoutId('Il login non funziona.');
    assert.ok(!eml.toString().includes('Message-ID'));
    const a = await storeMessage(db, { mailbox: 'support', source: 'imap', raw: copyFor(eml, 'support'), sizeBytes: 1 }, options());
    const b = await storeMessage(db, { mailbox: 'sales', source: 'imap', raw: copyFor(eml, 'sales'), sizeBytes: 1 }, options());
    const c = await storeMessage(db, { mailbox: 'sales', source: 'imap', raw: copyFor(withoutId('Il login funziona di nuovo.'), 'sales'), sizeBytes: 1 }, options());
    assert.equal(b.id, a.id);
    assert.equal(b.sighting, true);
    assert.equal(c.created, true);
    const identities = await db.selectFrom('messages').select('identity').orderBy('created_at').execute();
    assert.ok(identities.every((r) => r.identity?.startsWith('body:')));
  });

  test('two mailboxes storing the same email at the same moment leave one email', async () => {
    const db = getDb();
    await truncateAll(db);
    const eml = makeEml({ messageId: '<race@azienda.example>' });
    const stored = await Promise.all(
      ['a', 'b', 'c', 'd'].map((mailbox) => db.transaction().execute((trx) => storeMessage(trx, { mailbox, source: 'imap', raw: copyFor(eml, mailbox), sizeBytes: 1 }, options()))),
    );
    assert.equal(new Set(stored.map((s) => s.id)).size, 1);
    assert.equal(stored.filter((s) => s.created).length, 1);
    const count = await db.selectFrom('message_sightings').select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 3);
  });

  test('the migration computes the Message-ID identity exactly as the code does', async () => {
    const db = getDb();
    await truncateAll(db);
    await storeMessage(db, { mailbox: 'support', source: 'imap', raw: makeEml({ messageId: '<Mixed.Case@x>', from: 'Ève <Eve@Exämple.example>' }), sizeBytes: 1 }, options());
    const { rows } = await sql<{ identity: string; computed: string }>`
      select identity, 'mid:' || encode(sha256(convert_to(message_id || chr(10) || lower(coalesce(from_address, '')), 'UTF8')), 'hex') as computed
      from messages`.execute(db);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.identity, rows[0]!.computed);
  });

  test('waiting mail is listed by status with its reason', async () => {
    const db = getDb();
    await truncateAll(db);
    const now = new Date();
    const ids = [];
    for (const n of [1, 2, 3, 4]) ids.push((await storeMessage(db, { mailbox: 'support', source: 'imap', raw: makeEml({ messageId: `<wait.${n}@x>` }), sizeBytes: 1 }, options())).id);
    const later = new Date(now.getTime() + 60_000);
    await db.updateTable('messages').set({ waiting_for: 'model', last_error: 'classification postponed: model down', next_attempt_at: later, attempts: 1 }).where('id', '=', ids[0]!).execute();
    await db.updateTable('messages').set({ locked_by: 'host:1:abc', locked_at: now, attempts: 1 }).where('id', '=', ids[1]!).execute();
    await db.updateTable('messages').set({ status: 'failed', last_error: 'malformed beyond repair' }).where('id', '=', ids[2]!).execute();
    await db.updateTable('messages').set({ status: 'decided' }).where('id', '=', ids[3]!).execute();
    const all = await listWaitingMessages(db, { limit: 10, now });
    assert.deepEqual(
      all.map((m) => [m.email_id, m.status]),
      [
        [ids[0], 'pending'],
        [ids[1], 'processing'],
        [ids[2], 'failed'],
      ],
    );
    assert.match(all[0]!.reason, /^waiting for the AI model, retried as soon as it answers again: classification postponed: model down$/);
    assert.equal(all[0]!.next_attempt_at, later.toISOString());
    assert.match(all[1]!.reason, /^being decided by host:1:abc since /);
    assert.equal(all[2]!.reason, 'malformed beyond repair');
    assert.deepEqual(
      (await listWaitingMessages(db, { status: 'processing', limit: 10, now })).map((m) => m.email_id),
      [ids[1]],
    );
    assert.deepEqual(
      (await listWaitingMessages(db, { status: 'pending', limit: 10, now })).map((m) => m.email_id),
      [ids[0]],
    );
  });

  test('the migration gives the identity to the first of emails stored twice before it, and leaves the repeats as they were', async () => {
    const db = getDb();
    await truncateAll(db);
    const eml = makeEml({ messageId: '<twice@x>' });
    // As an older Mailroom stored them: the same email in two mailboxes, two rows, no identity.
    const first = await storeMessage(db, { mailbox: 'support', source: 'imap', raw: eml, sizeBytes: 1 }, options());
    const other = await storeMessage(db, { mailbox: 'other', source: 'imap', raw: makeEml({ messageId: '<once@x>' }), sizeBytes: 1 }, options());
    await sql`drop index messages_identity_key`.execute(db);
    await sql`update messages set identity = null`.execute(db);
    await sql`insert into messages (id, thread_id, mailbox, source, message_id, sha256, size_bytes, from_address, status, created_at)
              select 'em_REPEAT', thread_id, 'triage', 'file', message_id, 'other-bytes', size_bytes, from_address, 'decided', created_at + interval '1 minute'
              from messages where id = ${first.id}`.execute(db);
    const statements = splitSqlStatements(readFileSync(`${PROJECT_ROOT}migrations/0008_one_email.sql`, 'utf8'));
    for (const statement of statements.filter((s) => /^\s*(UPDATE messages|CREATE UNIQUE INDEX)/m.test(s))) await sql.raw(statement).execute(db);
    const rows = await db.selectFrom('messages').select(['id', 'identity']).orderBy('id').execute();
    const identity = Object.fromEntries(rows.map((r) => [r.id, r.identity]));
    assert.match(identity[first.id]!, /^mid:[0-9a-f]{64}$/);
    assert.match(identity[other.id]!, /^mid:[0-9a-f]{64}$/);
    assert.equal(identity.em_REPEAT, null);
    // And a new arrival joins the first.
    const again = await storeMessage(db, { mailbox: 'sales', source: 'imap', raw: Buffer.concat([Buffer.from('X-Trace: sales\r\n'), eml]), sizeBytes: 1 }, options());
    assert.deepEqual(again, { id: first.id, created: false, sighting: true });
  });
});
