/**
 * Child of raw-store.test.ts: stores one message, then dies by SIGKILL inside the transaction of a
 * second one, after its file is written and before its row commits. Prints both files' paths first.
 */
import { migrateToLatest, openDatabase } from '../../src/db/index.js';
import { storeMessage } from '../../src/ingest/index.js';

const path = process.argv[2]!;
const options = { maxCleanChars: 6000, now: new Date() };
const message = (tag: string) => Buffer.from(`Message-ID: <${tag}@example.com>\r\nSubject: ${tag}\r\n\r\nBody of ${tag}\r\n`);
const db = await openDatabase({ url: undefined, path, pool_size: 1 });
await migrateToLatest(db);
const committed = message('committed');
const { id } = await storeMessage(db, { mailbox: 'support', source: 'file', raw: committed, sizeBytes: committed.length }, options);
const { raw_path } = await db.selectFrom('messages').select('raw_path').where('id', '=', id).executeTakeFirstOrThrow();
await db.transaction().execute(async (tx) => {
  const orphan = message('orphan');
  const stored = await storeMessage(tx, { mailbox: 'support', source: 'file', raw: orphan, sizeBytes: orphan.length }, options);
  const row = await tx.selectFrom('messages').select('raw_path').where('id', '=', stored.id).executeTakeFirstOrThrow();
  process.stdout.write(`${JSON.stringify({ committed: raw_path, orphan: row.raw_path })}\n`, () => process.kill(process.pid, 'SIGKILL'));
  await new Promise(() => {});
});
