import { chmodSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { CompiledQuery, type ControlledTransaction, type IsolationLevel } from 'kysely';
import type { Logger } from '../util/logger.js';
import { embeddedSocketPath, type Hello, readFrames, toWireError, type WireReply, type WireRequest, writeFrame } from './embedded-wire.js';
import { knownMigrations } from './migrate.js';
import type { Database, Db } from './schema.js';

/**
 * A command's transaction holds the embedded database, and with it the whole service: one that
 * sits idle this long (a stuck or stopped command; generous, as a loaded machine can starve a live one for seconds) is rolled back and its connection closed.
 */
const TRANSACTION_IDLE_MS = 15_000;

export interface ServedDatabase {
  socketPath: string;
  /** Stops accepting, rolls back open transactions, closes every connection and removes the socket. */
  close(): Promise<void>;
}

/**
 * `mailroom run` on the embedded database serves it to the other commands on the same data
 * directory over a Unix socket (mode 0600) — the commands run their own code and only their SQL
 * comes here. Each connection is a session of its own: statements outside a transaction take the
 * database's one connection statement by statement, between the service's own; a transaction takes
 * it from BEGIN to COMMIT, so nothing interleaves with it (what the stock pglite-socket server,
 * which gives every client one shared session, gets wrong).
 *
 * Only the lock holder calls this, so a socket file already there is a dead service's and is replaced.
 */
export async function serveEmbeddedDatabase(params: { db: Db; dataPath: string; logger: Logger; transactionIdleMs?: number }): Promise<ServedDatabase> {
  const socketPath = embeddedSocketPath(params.dataPath);
  const logger = params.logger.child({ component: 'db-socket' });
  const migrations = await knownMigrations();
  const sessions = new Set<Session>();
  const server = createServer((socket) => {
    const session = openSession(socket, { ...params, migrations, idleMs: params.transactionIdleMs ?? TRANSACTION_IDLE_MS, logger });
    sessions.add(session);
    socket.once('close', () => sessions.delete(session));
  });
  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ path: socketPath, readableAll: false, writableAll: false }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Connecting needs write permission: the owner alone may use the database, as with its files.
  chmodSync(socketPath, 0o600);
  return {
    socketPath,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...sessions].map((session) => session.end()));
      await closed;
      rmSync(socketPath, { force: true });
    },
  };
}

interface Session {
  /** Rolls back what is open and closes the connection. */
  end(): Promise<void>;
}

function openSession(socket: Socket, ctx: { db: Db; migrations: string[]; idleMs: number; logger: Logger }): Session {
  let trx: ControlledTransaction<Database> | null = null;
  let idleTimer: NodeJS.Timeout | null = null;
  // Requests are answered in order; a client sends the next one after the answer anyway.
  let queue: Promise<void> = Promise.resolve();

  const rollback = async () => {
    if (idleTimer) clearTimeout(idleTimer);
    const open = trx;
    trx = null;
    await open
      ?.rollback()
      .execute()
      .catch(() => {});
  };
  const armIdleTimer = () => {
    if (idleTimer) clearTimeout(idleTimer);
    if (!trx) return;
    idleTimer = setTimeout(() => {
      ctx.logger.warn({ idle_ms: ctx.idleMs }, 'a mailroom command left a transaction idle; rolled it back and closed its connection so the service can go on');
      queue = queue.then(rollback).then(() => void socket.destroy());
    }, ctx.idleMs);
    idleTimer.unref();
  };

  const handle = async (request: WireRequest): Promise<unknown> => {
    switch (request.op) {
      case 'hello':
        return { pid: process.pid, migrations: ctx.migrations } satisfies Hello;
      case 'query': {
        assertSessionSafe(request.sql);
        const result = await (trx ?? ctx.db).executeQuery(CompiledQuery.raw(request.sql, [...request.parameters]));
        return { rows: result.rows, numAffectedRows: result.numAffectedRows };
      }
      case 'begin': {
        if (trx) throw new Error('a transaction is already open on this connection');
        const begin = ctx.db.startTransaction();
        trx = await (request.isolationLevel ? begin.setIsolationLevel(request.isolationLevel as IsolationLevel) : begin).execute();
        return null;
      }
      case 'commit': {
        const open = trx;
        trx = null;
        await open?.commit().execute();
        return null;
      }
      case 'rollback':
        await rollback();
        return null;
    }
  };

  readFrames(socket, (value) => {
    // A long statement is not idleness: the clock restarts after the answer.
    if (idleTimer) clearTimeout(idleTimer);
    queue = queue.then(async () => {
      if (socket.destroyed) return;
      let reply: WireReply;
      try {
        reply = { ok: true, result: await handle(value as WireRequest) };
      } catch (error) {
        reply = { ok: false, error: toWireError(error) };
      }
      armIdleTimer();
      if (!socket.destroyed) writeFrame(socket, reply);
    });
  });
  // A command that ends (or is killed) inside a transaction must not keep the database.
  socket.on('close', () => {
    queue = queue.then(rollback);
  });
  socket.on('error', () => {});
  return {
    async end() {
      queue = queue.then(rollback).then(() => void socket.destroy());
      await queue;
    },
  };
}

/**
 * Statements that would change the service's session for everyone after them: a raw BEGIN outside
 * the protocol's own, a session SET (SET LOCAL ends with its transaction), LISTEN, prepared
 * statements, temporary tables. No Mailroom query sends them; this keeps a future one from doing so
 * silently.
 */
const SESSION_STATEMENT =
  /^\s*(begin|start\s+transaction|commit|end|abort|rollback(?!\s+to\b)|set(?!\s+local\b)|reset|discard|listen|unlisten|prepare|deallocate|create\s+(global\s+|local\s+)?temp(orary)?\b)/i;

function assertSessionSafe(statement: string): void {
  const match = SESSION_STATEMENT.exec(statement);
  if (match) {
    throw new Error(
      `"${match[1]!.toUpperCase()}" would change the session mailroom run shares with its other commands: not allowed through its socket (use a Kysely transaction, or SET LOCAL inside one)`,
    );
  }
}
