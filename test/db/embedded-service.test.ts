/**
 * The embedded database served over its socket, in one process: the service's side and two
 * commands' sides, each with its own session. The served database exists only for the embedded
 * PGlite (PostgreSQL serves many processes itself), so these bodies run on PGlite alone.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { connectToService } from '../../src/db/embedded-client.js';
import { type Db, embeddedSocketPath, migrateToLatest, openDatabase, openDatabaseAccess, type ServedDatabase, serveEmbeddedDatabase } from '../../src/db/index.js';
import { knownMigrations } from '../../src/db/migrate.js';
import { silentLogger } from '../../src/util/logger.js';

let folder: string;
let service: Db;
let served: ServedDatabase;
const clients: Db[] = [];

before(async () => {
  folder = mkdtempSync(join(tmpdir(), 'mailroom-served-'));
  service = await openDatabase({ url: undefined, path: folder, pool_size: 1 }, { memory: true });
  await migrateToLatest(service);
  await sql`CREATE TABLE served_probe (id text PRIMARY KEY, at timestamptz, body bytea, n bigint)`.execute(service);
  served = await serveEmbeddedDatabase({ db: service, dataPath: folder, logger: silentLogger(), transactionIdleMs: 400 });
});
after(async () => {
  await Promise.all(clients.map((db) => db.destroy().catch(() => {})));
  await served.close();
  await service.destroy();
  rmSync(folder, { recursive: true, force: true });
});

async function client(): Promise<Db> {
  const { db } = await connectToService(folder, await knownMigrations());
  clients.push(db);
  return db;
}

async function ids(): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM served_probe ORDER BY id`.execute(service);
  return rows.map((r) => r.id);
}

test("the socket is the owner's alone (mode 0600) and sits in the data directory", () => {
  assert.equal(served.socketPath, join(folder, 'mailroom.sock'));
  assert.equal(statSync(served.socketPath).mode & 0o777, 0o600);
});

test('values cross the socket as PGlite gives them: Date, Buffer, bigint, affected rows, PostgreSQL error codes', async () => {
  const db = await client();
  const at = new Date('2026-11-30T01:02:03.456Z');
  const body = Buffer.from([0, 1, 2, 255]);
  const inserted = await sql`INSERT INTO served_probe (id, at, body, n) VALUES (${'values'}, ${at}, ${body}, ${9007199254740993n})`.execute(db);
  assert.equal(inserted.numAffectedRows, 1n);
  const { rows } = await sql<{ at: Date; body: Buffer; n: unknown }>`SELECT at, body, n FROM served_probe WHERE id = 'values'`.execute(db);
  const local = await sql<{ at: Date; body: Buffer; n: unknown }>`SELECT at, body, n FROM served_probe WHERE id = 'values'`.execute(service);
  assert.deepEqual(rows, local.rows);
  assert.ok(rows[0]!.at instanceof Date && Buffer.isBuffer(rows[0]!.body));
  await assert.rejects(sql`INSERT INTO served_probe (id) VALUES ('values')`.execute(db), (error: Error & { code?: string; constraint?: string }) => {
    assert.equal(error.code, '23505');
    assert.match(error.message, /duplicate key/);
    return true;
  });
});

test('statements that would change the shared session are refused; SET LOCAL inside a transaction is fine', async () => {
  const db = await client();
  for (const statement of ['BEGIN', 'commit', 'SET statement_timeout = 1', 'LISTEN x', 'CREATE TEMP TABLE t (x int)', 'reset all']) {
    await assert.rejects(sql.raw(statement).execute(db), /would change the session mailroom run shares/, statement);
  }
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL synchronous_commit = off`.execute(trx);
    await sql`SELECT 1`.execute(trx);
  });
  const { rows } = await sql<{ setting: string }>`SELECT current_setting('statement_timeout') AS setting`.execute(service);
  assert.equal(rows[0]!.setting, '0');
});

test("a command's rollback takes only its own rows: the service's insert waits for the transaction and survives it", async () => {
  const db = await client();
  let serviceInsert: Promise<unknown> | null = null;
  await assert.rejects(
    db.transaction().execute(async (trx) => {
      await sql`INSERT INTO served_probe (id) VALUES ('cmd-rolled-back')`.execute(trx);
      serviceInsert = sql`INSERT INTO served_probe (id) VALUES ('service-during-cmd')`.execute(service);
      // Give the service's statement every chance to slip into the command's transaction.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sql`SELECT 1`.execute(trx);
      throw new Error('the command gives up');
    }),
    /the command gives up/,
  );
  await serviceInsert;
  const now = await ids();
  assert.ok(now.includes('service-during-cmd'));
  assert.ok(!now.includes('cmd-rolled-back'));
});

test("two commands in transactions never see each other's uncommitted rows", async () => {
  const [a, b] = [await client(), await client()];
  let releaseA!: () => void;
  const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));
  let aInserted!: () => void;
  const aHasInserted = new Promise<void>((resolve) => (aInserted = resolve));
  const first = a.transaction().execute(async (trx) => {
    await sql`INSERT INTO served_probe (id) VALUES ('a-uncommitted')`.execute(trx);
    aInserted();
    await aMayCommit;
    await sql`DELETE FROM served_probe WHERE id = 'a-uncommitted'`.execute(trx);
  });
  await aHasInserted;
  const second = b.transaction().execute(async (trx) => (await sql<{ id: string }>`SELECT id FROM served_probe WHERE id = 'a-uncommitted'`.execute(trx)).rows);
  // Time for B's statement to run, were it not held back until A is done.
  await new Promise((resolve) => setTimeout(resolve, 150));
  releaseA();
  await first;
  assert.deepEqual(await second, []);
});

test('a command idle in its transaction is rolled back and cut off, and the service goes on', async () => {
  const db = await client();
  const stuck = db.transaction().execute(async (trx) => {
    await sql`INSERT INTO served_probe (id) VALUES ('idle-cmd')`.execute(trx);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await sql`SELECT 1`.execute(trx);
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Waits for the command's transaction, which the service ends after 400 ms of silence.
  await sql`INSERT INTO served_probe (id) VALUES ('service-after-idle')`.execute(service);
  await assert.rejects(stuck, /closed while this command was using the database/);
  const now = await ids();
  assert.ok(now.includes('service-after-idle'));
  assert.ok(!now.includes('idle-cmd'));
});

test('a command whose connection drops mid-transaction leaves nothing behind', async () => {
  const db = await client();
  let inserted!: () => void;
  const hasInserted = new Promise<void>((resolve) => (inserted = resolve));
  const dropped = db.transaction().execute(async (trx) => {
    await sql`INSERT INTO served_probe (id) VALUES ('dropped-cmd')`.execute(trx);
    inserted();
    await new Promise((resolve) => setTimeout(resolve, 10_000));
  });
  dropped.catch(() => {});
  await hasInserted;
  await db.destroy();
  await sql`INSERT INTO served_probe (id) VALUES ('service-after-drop')`.execute(service);
  const now = await ids();
  assert.ok(now.includes('service-after-drop'));
  assert.ok(!now.includes('dropped-cmd'));
});

test("a command waits for another command's lock, then is refused with the holder named; a stale lock and socket are taken over", async () => {
  const other = mkdtempSync(join(tmpdir(), 'mailroom-lock-'));
  try {
    // A lock held by a live process that serves no one (another command): refused, naming it.
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      writeFileSync(join(other, 'mailroom.lock'), `${holder.pid}\ncommand\n`);
      const waits: string[] = [];
      const refused = openDatabaseAccess({ url: undefined, path: other, pool_size: 1 }, { commandWaitMs: 600, onWait: (m) => waits.push(m) });
      await assert.rejects(refused, new RegExp(`in use by process ${holder.pid} \\(another mailroom command\\)`));
      assert.deepEqual(waits, [`waiting for process ${holder.pid} (another mailroom command) to finish with the embedded database`]);
      // A live service: a second one is refused at once.
      writeFileSync(join(other, 'mailroom.lock'), `${holder.pid}\nservice\n`);
      await assert.rejects(openDatabaseAccess({ url: undefined, path: other, pool_size: 1 }, { role: 'service' }), /mailroom run is already running .* \(process \d+\): a second one would lose/);
    } finally {
      holder.kill();
    }

    // A dead service's lock and socket file: the command takes the lock and opens the database itself.
    writeFileSync(join(other, 'mailroom.lock'), '2147483646\nservice\n');
    writeFileSync(embeddedSocketPath(other), '');
    const access = await openDatabaseAccess({ url: undefined, path: other, pool_size: 1 });
    assert.equal(access.servicePid, null);
    assert.throws(() => statSync(embeddedSocketPath(other)), /ENOENT/);
    await access.close();
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
