import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { deleteMessages, migrateToLatest, openDatabase, rawStoreOf, readRawMessage, sweepRawStore } from '../../src/db/index.js';
import { storeMessage } from '../../src/ingest/index.js';
import { auth, testServer } from '../api/fixtures.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { runCli } from '../support/run-cli.js';

const OPTIONS = { maxCleanChars: 6000, now: new Date('2026-11-23T09:00:00Z') };

/** A message whose body holds every byte value, NUL and bare CR/LF included. */
function awkwardMessage(tag: string): Buffer {
  const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([Buffer.from(`Message-ID: <${tag}@example.com>\r\nFrom: a@example.com\r\nSubject: ${tag}\r\nContent-Type: application/octet-stream\r\n\r\n`, 'latin1'), every, every.reverse()]);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describeEachDatabase('raw message bytes', (getDb, { kind }) => {
  test('round-trip byte-exact; on PGlite through a file beside the database, on PostgreSQL in the row', async () => {
    const db = getDb();
    await truncateAll(db);
    const raw = awkwardMessage('round-trip');
    const stored = await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, OPTIONS);
    const back = await readRawMessage(db, stored.id);
    assert.ok(back?.bytes);
    assert.equal(Buffer.compare(back.bytes, raw), 0, 'the same bytes come back');
    const row = await db.selectFrom('messages').select(['raw', 'raw_path', 'sha256']).where('id', '=', stored.id).executeTakeFirstOrThrow();
    assert.equal(row.sha256, sha256(raw));
    const store = rawStoreOf(db);
    if (kind === 'pglite') {
      assert.ok(store, 'PGlite has a file store');
      assert.equal(row.raw, null, 'no bytes in the database');
      assert.equal(row.raw_path, `${row.sha256.slice(0, 2)}/${row.sha256}`);
      assert.equal(Buffer.compare(readFileSync(join(store.folder, row.raw_path)), raw), 0);
    } else {
      assert.equal(store, null, 'PostgreSQL keeps the bytes in the row');
      assert.equal(row.raw_path, null);
      assert.equal(Buffer.compare(Buffer.from(row.raw!), raw), 0);
    }
  });

  test('a write whose row never commits leaves nothing visible, and the sweep removes its file', async () => {
    const db = getDb();
    await truncateAll(db);
    await sweepRawStore(db); // the files of the rows truncateAll removed
    const kept = awkwardMessage('kept');
    const keptId = (await storeMessage(db, { mailbox: 'support', source: 'file', raw: kept, sizeBytes: kept.length }, OPTIONS)).id;
    const lost = awkwardMessage('lost');
    await assert.rejects(
      db.transaction().execute(async (tx) => {
        await storeMessage(tx, { mailbox: 'support', source: 'file', raw: lost, sizeBytes: lost.length }, OPTIONS);
        throw new Error('crash before commit');
      }),
      /crash before commit/,
    );
    const rows = await db.selectFrom('messages').select(['id', 'sha256']).execute();
    assert.deepEqual(
      rows.map((r) => r.id),
      [keptId],
      'no row for the lost message',
    );
    const store = rawStoreOf(db);
    if (store) assert.ok(existsSync(join(store.folder, `${sha256(lost).slice(0, 2)}/${sha256(lost)}`)), 'the file was written before the commit failed');
    const swept = await sweepRawStore(db);
    if (store) {
      assert.equal(swept.removed, 1);
      assert.ok(!existsSync(join(store.folder, `${sha256(lost).slice(0, 2)}/${sha256(lost)}`)), 'the orphan is gone');
    }
    assert.equal(Buffer.compare((await readRawMessage(db, keptId))!.bytes!, kept), 0, 'the committed message keeps its bytes');
  });

  test('deleting a message removes its file; the same bytes in another mailbox are a sighting, not a second row', async () => {
    const db = getDb();
    await truncateAll(db);
    const raw = awkwardMessage('shared');
    const a = await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, OPTIONS);
    const b = await storeMessage(db, { mailbox: 'sales', source: 'file', raw, sizeBytes: raw.length }, OPTIONS);
    assert.equal(b.id, a.id, 'one email, seen in two mailboxes');
    const store = rawStoreOf(db);
    const file = store ? join(store.folder, `${sha256(raw).slice(0, 2)}/${sha256(raw)}`) : null;
    if (file) assert.ok(existsSync(file), 'stored in a file beside the database');
    assert.equal(Buffer.compare((await readRawMessage(db, a.id))!.bytes!, raw), 0);
    assert.equal(await deleteMessages(db, [a.id]), 1);
    assert.equal(await readRawMessage(db, a.id), null);
    if (file) assert.ok(!existsSync(file), 'removed with its row');
    assert.equal((await db.selectFrom('messages').select('id').execute()).length, 0);
    assert.equal((await db.selectFrom('message_sightings').select('id').execute()).length, 0, 'the sighting goes with the email');
  });

  test('storing and deleting the same bytes at once never leaves a row without its file', async () => {
    const db = getDb();
    await truncateAll(db);
    const raw = awkwardMessage('race');
    for (let round = 0; round < 5; round++) {
      const first = await storeMessage(db, { mailbox: 'one', source: 'file', raw, sizeBytes: raw.length }, OPTIONS);
      const [, second] = await Promise.all([deleteMessages(db, [first.id]), storeMessage(db, { mailbox: `two-${round}`, source: 'file', raw, sizeBytes: raw.length }, OPTIONS)]);
      const kept = await readRawMessage(db, second.id);
      // On PostgreSQL the two may also run the other way round: the arrival becomes a sighting of the
      // first email, and the deletion then removes that email with its sightings. Never anything else.
      if (!kept) assert.ok(second.sighting && second.id === first.id, `round ${round}: the arrival is gone, yet it was no sighting of the deleted email`);
      for (const row of await db.selectFrom('messages').select('id').execute()) {
        assert.equal(Buffer.compare((await readRawMessage(db, row.id))!.bytes!, raw), 0, `round ${round}: a row without its bytes`);
      }
      await deleteMessages(db, [second.id]);
    }
  });

  test('the raw-email API serves the stored bytes byte-exact, and 404 once the message is deleted', async () => {
    const db = getDb();
    await truncateAll(db);
    const raw = awkwardMessage('served');
    const { id } = await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, OPTIONS);
    const { app } = testServer(db);
    const res = await app.inject({ url: `/v1/emails/${id}/raw`, headers: auth() });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-type'], 'message/rfc822');
    assert.equal(Buffer.compare(res.rawPayload, raw), 0);
    assert.equal((await app.inject({ url: `/v1/emails/${id}`, headers: auth() })).json().raw_available, true);
    await deleteMessages(db, [id]);
    assert.equal((await app.inject({ url: `/v1/emails/${id}/raw`, headers: auth() })).statusCode, 404);
  });

  test('a file changed outside Mailroom is reported, not served', async (t) => {
    const db = getDb();
    const store = rawStoreOf(db);
    if (!store) return t.skip('no file store on PostgreSQL');
    await truncateAll(db);
    const raw = awkwardMessage('tampered');
    const { id } = await storeMessage(db, { mailbox: 'support', source: 'file', raw, sizeBytes: raw.length }, OPTIONS);
    writeFileSync(join(store.folder, `${sha256(raw).slice(0, 2)}/${sha256(raw)}`), 'something else');
    await assert.rejects(readRawMessage(db, id), new RegExp(`original of ${id} .* does not match its sha256`));
  });
});

const CRASH_CHILD = fileURLToPath(new URL('./raw-store-crash-child.ts', import.meta.url));

test('PGlite folder: a process killed between the file write and the commit leaves no row, and the next start removes the file', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'mailroom-raw-crash-'));
  try {
    const path = join(folder, 'pglite');
    const child = spawn(process.execPath, [...process.execArgv, CRASH_CHILD, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', `the child killed itself mid-transaction: ${out}`);
    const { committed, orphan } = JSON.parse(out.trim().split('\n').pop()!) as { committed: string; orphan: string };
    assert.ok(existsSync(join(`${path}-raw`, orphan)), 'the uncommitted message file was written');

    const db = await openDatabase({ url: undefined, path, pool_size: 1 });
    try {
      await migrateToLatest(db);
      const rows = await db.selectFrom('messages').select(['id', 'raw_path']).execute();
      assert.deepEqual(
        rows.map((r) => r.raw_path),
        [committed],
        'only the committed message is there',
      );
      assert.ok((await readRawMessage(db, rows[0]!.id))?.bytes, 'and it reads');
      assert.deepEqual(await sweepRawStore(db), { removed: 1, kept: 1 });
      assert.ok(!existsSync(join(`${path}-raw`, orphan)));
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('a new PGlite folder is created (an interrupted creation started over); a 24 MB email goes through triage and comes back byte-exact', async () => {
  const cwd = mkdtempSync(join(tmpdir(), 'mailroom-big-triage-'));
  try {
    const attachment = Buffer.alloc(18 * 1024 * 1024, 7)
      .toString('base64')
      .replace(/.{76}/g, '$&\r\n');
    const eml = Buffer.from(
      [
        'From: Maria Rossi <maria@example.com>',
        'To: support@example.com',
        'Subject: Login broken, logs attached',
        'Message-ID: <big-24mb@example.com>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Hello, I cannot log in since this morning. The logs are attached.',
        '--b1',
        'Content-Type: application/octet-stream; name="logs.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        attachment,
        '--b1--',
        '',
      ].join('\r\n'),
    );
    assert.ok(eml.length > 24 * 1024 * 1024);
    writeFileSync(join(cwd, 'big.eml'), eml);
    // What a creation cut short leaves: it is started over.
    mkdirSync(join(cwd, 'data/pglite.new'), { recursive: true });
    writeFileSync(join(cwd, 'data/pglite.new/postgresql.conf'), 'half');
    writeFileSync(join(cwd, 'mailroom.yaml'), `database:\n  path: ${join(cwd, 'data/pglite')}\n`);
    const result = await runCli(['triage', '--json', '--config', join(cwd, 'mailroom.yaml'), join(cwd, 'big.eml')], { timeoutMs: 400_000 });
    assert.equal(result.code, 0, result.stderr);
    const line = JSON.parse(result.stdout.trim().split('\n').pop()!) as { message_id: string; action: string };
    assert.equal(line.message_id, '<big-24mb@example.com>');
    assert.ok(['ticket', 'review', 'draft'].includes(line.action), `decided: ${line.action}`);
    assert.ok(!existsSync(join(cwd, 'data/pglite.new')), 'the creation step cleaned up after itself');

    const db = await openDatabase({ url: undefined, path: join(cwd, 'data/pglite'), pool_size: 1 });
    try {
      const row = await db.selectFrom('messages').select(['id', 'raw', 'raw_path']).executeTakeFirstOrThrow();
      assert.equal(row.raw, null);
      assert.equal(Buffer.compare((await readRawMessage(db, row.id))!.bytes!, eml), 0);
    } finally {
      await db.destroy();
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});
