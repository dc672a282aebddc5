/**
 * Creates a new embedded database folder, run as a short-lived child process by openDatabase.
 * PGlite's initdb grows its WebAssembly memory to ~900 MB, and WebAssembly memory never shrinks:
 * done in the long-running process it would keep that for its whole life, while reopening a
 * finished folder costs ~330 MB. So the service only ever reopens.
 *
 * Only when there is no template of the installed PGlite to copy (pglite-template.ts). The folder
 * is built beside the target and moved in entry by entry, PG_VERSION last: a folder with PG_VERSION
 * is complete, and a creation cut short (a kill, a full disk) is started over.
 *
 *   node create-pglite.js FOLDER
 */
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { moveInto } from './pglite-template.js';

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
moveInto(building, folder);
process.stdout.write(`${JSON.stringify({ maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
