import type { Db } from './database.js';

/** Closes the pool or the PGlite instance; an open PGlite would keep Node from exiting. */
export async function closeDatabase(db: Db): Promise<void> {
  await db.destroy();
}
