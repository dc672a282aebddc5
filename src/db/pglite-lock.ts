import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * PGlite is an in-process database: two processes opening the same folder would corrupt it.
 * A lock file with the holder's pid turns that into a clear message; a lock left by a dead
 * process is taken over.
 */
export function acquirePGliteLock(path: string): () => void {
  const folder = resolve(path);
  mkdirSync(folder, { recursive: true });
  const lockPath = join(folder, 'mailroom.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockPath, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
        throw new Error(
          `the embedded database in ${folder} is in use by process ${holder}. PGlite serves one process only: ` +
            'stop that process, or set database.url to a PostgreSQL server that several Mailroom processes can share',
        );
      }
      rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`could not lock the embedded database in ${folder}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
