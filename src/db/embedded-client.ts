import { createConnection, type Socket } from 'node:net';
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  Kysely,
  PGliteAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { embeddedSocketPath, fromWireError, type Hello, readFrames, type WireReply, type WireRequest, writeFrame } from './embedded-wire.js';
import { rawStoreFolder } from './open-database.js';
import { rawStorePlugin } from './raw-store.js';
import type { Database, Db } from './schema.js';

/**
 * The command's side of embedded-service.ts: a Kysely database whose statements run in the
 * `mailroom run` that holds the embedded database. The command's own code (queries, formatting,
 * --json) is unchanged, so its output is the same as when it opens the database itself.
 */

/** What a command learns when it connects: the service's pid, for messages. */
export interface ServiceConnection {
  db: Db;
  pid: number;
}

/** Nothing listens on the socket (no service, or a dead one's socket file). */
export class NoServiceError extends Error {
  override readonly name = 'NoServiceError';
}

/**
 * Connects to the service of `dataPath` and checks it runs the same schema as this command.
 * Throws NoServiceError when nothing answers on the socket.
 */
export async function connectToService(dataPath: string, migrations: string[]): Promise<ServiceConnection> {
  const socketPath = embeddedSocketPath(dataPath);
  const wire = await WireConnection.open(socketPath);
  let hello: Hello;
  try {
    hello = (await wire.call({ op: 'hello', migrations })) as Hello;
  } catch (error) {
    wire.close();
    throw error;
  }
  if (hello.migrations.join('\n') !== migrations.join('\n')) {
    wire.close();
    throw new Error(
      `mailroom run (process ${hello.pid}) uses a different Mailroom version on this data directory (its schema has ${hello.migrations.length} migrations, this command's ${migrations.length}): ` +
        'run the command from the same installation as the service, or restart mailroom run with this version',
    );
  }
  wire.onLost =
    `the connection to mailroom run (process ${hello.pid}) closed while this command was using the database ` +
    '(the service stopped, or ended a transaction this command had left idle): run the command again';
  // The raw bytes live in files beside the database (raw-store.ts): the command writes and reads
  // them itself, exactly as the service does; only the rows go through the socket.
  return { db: new Kysely<Database>({ dialect: new ServiceDialect(wire), plugins: [rawStorePlugin(rawStoreFolder(dataPath))] }), pid: hello.pid };
}

/** One socket, one request in flight at a time (Kysely serializes the single connection). */
class WireConnection {
  onLost = 'the connection to mailroom run was lost';
  readonly #socket: Socket;
  readonly #waiting: Array<{ resolve: (value: unknown) => void; reject: (error: Error) => void }> = [];
  #closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    readFrames(socket, (value) => {
      const reply = value as WireReply;
      const waiter = this.#waiting.shift();
      if (!waiter) return;
      if (reply.ok) waiter.resolve(reply.result);
      else waiter.reject(fromWireError(reply.error));
    });
    socket.on('close', () => {
      this.#closed = true;
      for (const waiter of this.#waiting.splice(0)) waiter.reject(new Error(this.onLost));
    });
    socket.on('error', () => {});
  }

  static open(socketPath: string): Promise<WireConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection({ path: socketPath });
      socket.once('connect', () => {
        socket.off('error', fail);
        resolve(new WireConnection(socket));
      });
      const fail = (error: NodeJS.ErrnoException) => {
        socket.destroy();
        const absent = error.code === 'ENOENT' || error.code === 'ECONNREFUSED';
        reject(absent ? new NoServiceError(`nothing answers on ${socketPath}`) : new Error(`cannot connect to mailroom run on ${socketPath}: ${error.message}`, { cause: error }));
      };
      socket.once('error', fail);
    });
  }

  call(request: WireRequest): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error(this.onLost));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      writeFrame(this.#socket, request);
    });
  }

  close(): void {
    this.#closed = true;
    this.#socket.end();
  }
}

class ServiceDialect implements Dialect {
  readonly #wire: WireConnection;
  constructor(wire: WireConnection) {
    this.#wire = wire;
  }
  // PGlite's adapter: one connection (Kysely queues the command's statements) and no migration lock to take.
  createAdapter() {
    return new PGliteAdapter();
  }
  createDriver(): Driver {
    return new ServiceDriver(this.#wire);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}

class ServiceDriver implements Driver {
  readonly #connection: ServiceConnectionHandle;
  readonly #wire: WireConnection;
  constructor(wire: WireConnection) {
    this.#wire = wire;
    this.#connection = new ServiceConnectionHandle(wire);
  }
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    return this.#connection;
  }
  async releaseConnection(): Promise<void> {}
  async beginTransaction(_connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await this.#wire.call({ op: 'begin', ...(settings.isolationLevel ? { isolationLevel: settings.isolationLevel } : {}) });
  }
  async commitTransaction(): Promise<void> {
    await this.#wire.call({ op: 'commit' });
  }
  async rollbackTransaction(): Promise<void> {
    await this.#wire.call({ op: 'rollback' });
  }
  async destroy(): Promise<void> {
    this.#wire.close();
  }
}

class ServiceConnectionHandle implements DatabaseConnection {
  readonly #wire: WireConnection;
  constructor(wire: WireConnection) {
    this.#wire = wire;
  }
  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = (await this.#wire.call({ op: 'query', sql: query.sql, parameters: query.parameters })) as QueryResult<R>;
    return result.numAffectedRows === undefined ? { rows: result.rows } : { rows: result.rows, numAffectedRows: result.numAffectedRows };
  }
  // biome-ignore lint/correctness/useYield: streaming is not offered, as with PGlite itself
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming is not supported by the embedded database');
  }
}
