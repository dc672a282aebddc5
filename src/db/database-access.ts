import { rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/schema.js';
import { connectToService, NoServiceError } from './embedded-client.js';
import { acquirePGliteLock, EmbeddedDatabaseInUseError, type LockRole } from './embedded-lock.js';
import { embeddedSocketPath } from './embedded-wire.js';
import { knownMigrations } from './migrate.js';
import { openDatabase } from './open-database.js';
import type { Db } from './schema.js';

/**
 * How long a command waits for a `mailroom run` that holds the lock but does not answer yet: it is
 * opening the database, and creating a new one took 16 s on a loaded 2-core machine.
 */
const SERVICE_START_WAIT_MS = 120_000;
/** Another command holding the database (no service) is waited for this long: most finish in seconds. */
const COMMAND_WAIT_MS = 60_000;
const SERVICE_POLL_MS = 250;

export interface DatabaseAccess {
  db: Db;
  /** The pid of the `mailroom run` whose embedded database this is; null when the database was opened here. */
  servicePid: number | null;
  close(): Promise<void>;
}

export interface AccessOptions {
  role?: LockRole;
  /** Told once per holder when the command has to wait for it. */
  onWait?: (message: string) => void;
  /** How long to wait for another command to release the embedded database (default 60 s). */
  commandWaitMs?: number;
}

/**
 * Opens the database a command works with. PostgreSQL is opened as it is. The embedded database is
 * opened here, behind the lock, when no process holds it; when `mailroom run` holds it, the command
 * works through the service's socket instead (one data directory, many commands). A command
 * behind another command waits for it (bounded); a second `mailroom run` is refused with the holder named.
 */
export async function openDatabaseAccess(config: Config['database'], options: AccessOptions = {}): Promise<DatabaseAccess> {
  if (config.url) {
    const db = await openDatabase(config);
    return { db, servicePid: null, close: () => db.destroy() };
  }
  const role = options.role ?? 'command';
  const started = Date.now();
  let told: number | null = null;
  for (;;) {
    let release: () => void;
    try {
      release = acquirePGliteLock(config.path, role);
    } catch (error) {
      if (!(error instanceof EmbeddedDatabaseInUseError) || role === 'service') throw error;
      const { holder } = error;
      if (holder.role === 'service') {
        const service = await connectIfServing(config.path);
        if (service) return service;
      }
      if (Date.now() - started > (holder.role === 'service' ? SERVICE_START_WAIT_MS : (options.commandWaitMs ?? COMMAND_WAIT_MS))) {
        if (holder.role !== 'service') throw error;
        throw new Error(
          `mailroom run (process ${holder.pid}) holds the embedded database in ${error.folder} but has not answered on ${embeddedSocketPath(config.path)} for ${SERVICE_START_WAIT_MS / 1000} s: ` +
            'check its log, or stop it and run the command again',
        );
      }
      if (told !== holder.pid) {
        options.onWait?.(
          holder.role === 'service'
            ? `waiting for mailroom run (process ${holder.pid}) to finish opening the embedded database`
            : `waiting for process ${holder.pid} (another mailroom command) to finish with the embedded database`,
        );
      }
      told = holder.pid;
      await sleep(SERVICE_POLL_MS);
      continue;
    }
    // Holding the lock, any socket file is a dead service's (SIGKILL, OOM): nobody may take it for a live one.
    rmSync(embeddedSocketPath(config.path), { force: true });
    try {
      const db = await openDatabase(config);
      return {
        db,
        servicePid: null,
        close: async () => {
          await db.destroy();
          release();
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  }
}

async function connectIfServing(path: string): Promise<DatabaseAccess | null> {
  try {
    const { db, pid } = await connectToService(path, await knownMigrations());
    return { db, servicePid: pid, close: () => db.destroy() };
  } catch (error) {
    if (error instanceof NoServiceError) return null;
    throw error;
  }
}
