/**
 * One command's side for `npm run bench:socket`: connects to the `mailroom run` of a data directory
 * and times each call. Prints one JSON line: the latencies of `select 1` and of the query
 * `mailroom decisions list` makes, in ms.
 *
 *   node --import tsx bench/support/socket-client.ts DATA_DIR CALLS
 */
import { sql } from 'kysely';
import { listDecisions } from '../../src/api/index.js';
import { connectToService } from '../../src/db/embedded-client.js';
import { knownMigrations } from '../../src/db/migrate.js';

const [dataDir, callsText] = process.argv.slice(2);
const calls = Number(callsText ?? 200);
const { db } = await connectToService(dataDir!, await knownMigrations());
const time = async (fn: () => Promise<unknown>): Promise<number[]> => {
  const out: number[] = [];
  for (let i = 0; i < calls; i++) {
    const start = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return out;
};
// Warm both ends (JIT, PGlite's plan cache) before timing.
for (let i = 0; i < 20; i++) await sql`select 1`.execute(db);
const select1 = await time(() => sql`select 1`.execute(db));
const decisions = await time(() => listDecisions(db, { limit: 100 }));
process.stdout.write(`${JSON.stringify({ select1, decisions })}\n`);
await db.destroy();
