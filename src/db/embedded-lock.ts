import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Who holds the embedded database: `service` is `mailroom run`, which serves it to other commands
 * over its socket (embedded-service.ts); `command` is any other command, which serves no one.
 */
export type LockRole = 'service' | 'command';

export interface LockHolder {
  pid: number;
  role: LockRole;
}

/** The embedded database is held by another live process; `holder` says which and in what role. */
export class EmbeddedDatabaseInUseError extends Error {
  override readonly name = 'EmbeddedDatabaseInUseError';
  constructor(
    readonly folder: string,
    readonly holder: LockHolder,
    message: string,
  ) {
    super(message);
  }
}

/**
 * PGlite is an in-process database: PGlite 0.5 lets a second process open the same folder, and the
 * two then lose each other's writes. A lock file with the holder's pid and role turns that into a
 * clear message (or, for a command beside `mailroom run`, into a connection to the service); a
 * lock left by a dead process is taken over.
 */
export function acquirePGliteLock(path: string, role: LockRole = 'command'): () => void {
  const folder = resolve(path);
  mkdirSync(folder, { recursive: true });
  const lockPath = join(folder, 'mailroom.lock');
  // Written whole under another name, then linked: a reader never sees a half-written lock (an
  // empty one would read as stale and be taken over).
  const draft = `${lockPath}.${process.pid}`;
  writeFileSync(draft, `${process.pid}\n${role}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(draft, lockPath);
        return () => releaseIfOurs(lockPath);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const text = readLock(lockPath);
      if (text === null) continue;
      const holder = parseHolder(text);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw inUseError(folder, holder, role);
      // Removed only if it still is the stale lock just read: another process may have taken it over meanwhile.
      if (readLock(lockPath) === text) rmSync(lockPath, { force: true });
    }
  } finally {
    rmSync(draft, { force: true });
  }
  throw new Error(`could not lock the embedded database in ${folder}: other processes keep taking the lock; try again`);
}

/** The live holder of the lock, or null when nobody (alive) holds it. */
export function readLockHolder(path: string): LockHolder | null {
  const text = readLock(join(resolve(path), 'mailroom.lock'));
  const holder = text === null ? null : parseHolder(text);
  return holder && isAlive(holder.pid) ? holder : null;
}

function inUseError(folder: string, holder: LockHolder, wanted: LockRole): EmbeddedDatabaseInUseError {
  if (holder.role === 'service' && wanted === 'service') {
    return new EmbeddedDatabaseInUseError(
      folder,
      holder,
      `mailroom run is already running on the embedded database in ${folder} (process ${holder.pid}): a second one would lose the first one's writes. ` +
        'Stop it first, or set database.url to a PostgreSQL server that several Mailroom services can share',
    );
  }
  const what = holder.role === 'service' ? 'mailroom run' : 'another mailroom command';
  return new EmbeddedDatabaseInUseError(
    folder,
    holder,
    `the embedded database in ${folder} is in use by process ${holder.pid} (${what}). PGlite serves one process only: ` +
      'wait for that command to finish or stop it, or set database.url to a PostgreSQL server that several Mailroom processes can share',
  );
}

function releaseIfOurs(lockPath: string): void {
  const holder = parseHolder(readLock(lockPath) ?? '');
  if (holder?.pid === process.pid) rmSync(lockPath, { force: true });
}

function readLock(lockPath: string): string | null {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** `pid\nrole\n`; a lock of an older Mailroom holds the pid alone (a command that serves no one). */
function parseHolder(text: string): LockHolder | null {
  const [pidText, roleText] = text.split('\n');
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, role: roleText?.trim() === 'service' ? 'service' : 'command' };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
