/**
 * Creates a new embedded database folder, run as a short-lived child process by openDatabase.
 * PGlite's initdb grows its WebAssembly memory to ~900 MB, and WebAssembly memory never shrinks:
 * done in the long-running process it would keep that for its whole life, while reopening a
 * finished folder costs ~330 MB. So the service only ever reopens.
 *
 * The folder is built beside the target and moved in entry by entry, PG_VERSION last: a folder
 * with PG_VERSION is complete, and a creation cut short (a kill, a full disk) is started over.
 *
 *   node create-pglite.js FOLDER
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';

const target = process.argv[2];
if (!target) {
  process.stderr.write('usage: create-pglite FOLDER\n');
  process.exit(2);
}
const folder = resolve(target);
const building = `${folder}.new`;
rmSync(building, { recursive: true, force: true });
const pglite = new PGlite(building);
await pglite.waitReady;
await pglite.close();
for (const entry of readdirSync(building).filter((name) => name !== 'PG_VERSION')) {
  rmSync(join(folder, entry), { recursive: true, force: true });
  renameSync(join(building, entry), join(folder, entry));
}
if (!existsSync(join(building, 'PG_VERSION'))) throw new Error(`PGlite created no PG_VERSION in ${building}`);
renameSync(join(building, 'PG_VERSION'), join(folder, 'PG_VERSION'));
rmSync(building, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
