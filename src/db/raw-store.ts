import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import type { Db, DbOrTx } from './schema.js';

/**
 * Where the original bytes of each message live, and the one module that writes, reads and removes
 * them (ingest, triage, the raw-email link, drafts and re-parsing all come through here).
 *
 * Embedded PGlite: in a content-addressed file store beside the database folder (`data/pglite-raw/`
 * for `data/pglite`), one file per distinct message named by its sha256; the row keeps the sha256
 * and the file's path, and `raw` stays null. PGlite turns a bytea value into a JavaScript string
 * per byte on its way in and out: one 24 MB message cost 2.2 GB of heap, the same file here ~370 MB.
 *
 * PostgreSQL: the bytes stay in `raw`. Several Mailroom processes on several hosts share one
 * server, and a folder beside one of them is not shared; `pg` moves a bytea as one hex string, a
 * few times the message's size rather than a hundred, and a database backup stays complete.
 *
 * Crash safety: the file is written to tmp/, fsynced and renamed into place before the row that
 * names it commits, so a committed row always has its file. A crash in between leaves a file no
 * row names, invisible to every reader and removed by {@link sweepRawStore}. A file is removed only
 * after the last row naming it is deleted. PGlite has one connection that a transaction holds from
 * BEGIN to COMMIT, and both the write and the "is it still named?" check run inside one, so a
 * message stored while another with the same bytes is deleted never loses its file.
 */

/** A folder of message files named by their sha256, each written once: temp file, fsync, rename. */
export class RawFileStore {
  readonly folder: string;
  constructor(folder: string) {
    this.folder = folder;
  }

  /** `ab/abcdef…`: two levels keep any one folder small. */
  static pathFor(sha256: string): string {
    return `${sha256.slice(0, 2)}/${sha256}`;
  }

  /** Stores the bytes (unless a file with this content is already there) and returns the relative path. */
  async put(bytes: Buffer, sha256: string): Promise<string> {
    const relative = RawFileStore.pathFor(sha256);
    const target = join(this.folder, relative);
    if (await exists(target)) return relative;
    const temp = join(this.folder, 'tmp', `${sha256}.${randomBytes(6).toString('hex')}`);
    await mkdir(join(this.folder, 'tmp'), { recursive: true });
    await mkdir(join(this.folder, relative.slice(0, 2)), { recursive: true });
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temp, target);
    await syncFolder(join(this.folder, relative.slice(0, 2)));
    return relative;
  }

  async read(relative: string): Promise<Buffer> {
    return readFile(join(this.folder, relative));
  }

  async remove(relative: string): Promise<void> {
    await rm(join(this.folder, relative), { force: true });
  }

  /** Every stored file's relative path. */
  async list(): Promise<string[]> {
    const out: string[] = [];
    for (const dir of await readdirOrEmpty(this.folder)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of await readdirOrEmpty(join(this.folder, dir))) out.push(`${dir}/${name}`);
    }
    return out;
  }

  /** Removes half-written files of writers that never finished (a crash, a full disk). */
  async clearTemp(): Promise<number> {
    const names = await readdirOrEmpty(join(this.folder, 'tmp'));
    for (const name of names) await rm(join(this.folder, 'tmp', name), { force: true });
    return names.length;
  }
}

/**
 * Rides on the Kysely instance (and so on every transaction made from it) to say where its file
 * store is; it changes no query.
 */
class RawStorePlugin implements KyselyPlugin {
  readonly store: RawFileStore;
  constructor(store: RawFileStore) {
    this.store = store;
  }
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }
  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}

/** The plugin openDatabase gives a PGlite database whose raw bytes go to `folder`. */
export function rawStorePlugin(folder: string): KyselyPlugin {
  return new RawStorePlugin(new RawFileStore(folder));
}

/** The file store of this database, or null when raw bytes stay in the `raw` column (PostgreSQL). */
export function rawStoreOf(db: DbOrTx): RawFileStore | null {
  const plugin = db.getExecutor().plugins.find((p): p is RawStorePlugin => p instanceof RawStorePlugin);
  return plugin?.store ?? null;
}

/** The columns that place a message's bytes: `raw` or `raw_path`, never both. */
export interface RawColumns {
  raw: Buffer | null;
  raw_path: string | null;
}

/**
 * Runs `insert` with the columns for these bytes. With a file store the file is written inside the
 * same transaction as the row (opened here when the caller has none), which is what keeps a
 * concurrent deletion of the same bytes from removing the file under the new row.
 */
export async function insertWithRaw<T>(db: DbOrTx, raw: Buffer | null, sha256: string, insert: (tx: DbOrTx, columns: RawColumns) => Promise<T>): Promise<T> {
  const store = rawStoreOf(db);
  if (!store || !raw) return insert(db, { raw, raw_path: null });
  const run = async (tx: DbOrTx) => insert(tx, { raw: null, raw_path: await store.put(raw, sha256) });
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** One stored message's original: `bytes` is null when it was over ingest.max_message_bytes and only its headers were kept. */
export interface RawMessage {
  bytes: Buffer | null;
  headers: string | null;
  sizeBytes: number;
}

/** The original bytes of one email, wherever they are kept; null when there is no such email. */
export async function readRawMessage(db: DbOrTx, emailId: string): Promise<RawMessage | null> {
  const row = await db.selectFrom('messages').select(['raw', 'raw_path', 'raw_headers', 'sha256', 'size_bytes']).where('id', '=', emailId).executeTakeFirst();
  if (!row) return null;
  const sizeBytes = Number(row.size_bytes);
  if (row.raw_path === null) return { bytes: row.raw === null ? null : Buffer.from(row.raw), headers: row.raw_headers, sizeBytes };
  const store = rawStoreOf(db);
  if (!store) throw new Error(`the original of ${emailId} is in a raw file store (${row.raw_path}) but this database has none: open the embedded database it was stored with`);
  const bytes = await store.read(row.raw_path).catch((error: NodeJS.ErrnoException) => {
    throw new Error(
      `the original of ${emailId} is missing from ${join(store.folder, row.raw_path!)} (${error.code ?? error.message}): restore that folder from a backup; the decision and its parse are unaffected`,
      { cause: error },
    );
  });
  if (createHash('sha256').update(bytes).digest('hex') !== row.sha256) {
    throw new Error(`the original of ${emailId} in ${join(store.folder, row.raw_path)} does not match its sha256: the file was changed outside Mailroom; restore it from a backup`);
  }
  return { bytes, headers: row.raw_headers, sizeBytes };
}

/** What the parser reads for a stored message: its bytes, or its headers alone when the body was not kept. */
export function parseSource(message: RawMessage): Buffer {
  return message.bytes ?? Buffer.from(`${message.headers ?? ''}\r\n\r\n`, 'latin1');
}

/**
 * Deletes messages (their classifications, decisions and outbox rows go with them) and then each
 * file no remaining row names. A crash between the two leaves files no row names, which the next
 * {@link sweepRawStore} removes.
 */
export async function deleteMessages(db: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const deleted = await db
    .deleteFrom('messages')
    .where('id', 'in', [...ids])
    .returning('raw_path')
    .execute();
  const paths = deleted.flatMap((row) => (row.raw_path ? [row.raw_path] : []));
  await removeUnnamedFiles(db, paths);
  return deleted.length;
}

/**
 * Removes half-written files and every file no row names (left by a crash between a file's write
 * and its row's commit, or between a row's deletion and its file's). Safe while Mailroom works:
 * each batch is checked and removed inside a transaction, which on PGlite no writer can interleave.
 */
export async function sweepRawStore(db: Db): Promise<{ removed: number; kept: number }> {
  const store = rawStoreOf(db);
  if (!store) return { removed: 0, kept: 0 };
  let removed = await db.transaction().execute(() => store.clearTemp());
  const paths = await store.list();
  for (let i = 0; i < paths.length; i += 500) removed += await removeUnnamedFiles(db, paths.slice(i, i + 500));
  return { removed, kept: paths.length - removed };
}

async function removeUnnamedFiles(db: Db, paths: string[]): Promise<number> {
  const store = rawStoreOf(db);
  if (!store || paths.length === 0) return 0;
  return db.transaction().execute(async (tx) => {
    const named = await tx.selectFrom('messages').select('raw_path').where('raw_path', 'in', paths).execute();
    const keep = new Set(named.map((row) => row.raw_path));
    const unnamed = [...new Set(paths)].filter((path) => !keep.has(path));
    for (const path of unnamed) await store.remove(path);
    return unnamed.length;
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  return readdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}

/** A rename is durable only once the folder holding the new name is synced. */
async function syncFolder(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
