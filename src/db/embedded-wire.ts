import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';

/**
 * The wire between `mailroom run` and the commands beside it (embedded-service.ts,
 * embedded-client.ts). Each frame is a 4-byte big-endian length and a v8-serialized value: rows
 * and parameters keep their Date, Buffer and bigint values exactly as PGlite gives and takes them,
 * so a command sees the same values whether it opened the database itself or asked the service.
 */

export type WireRequest =
  | { op: 'hello'; migrations: string[] }
  | { op: 'query'; sql: string; parameters: readonly unknown[] }
  | { op: 'begin'; isolationLevel?: string }
  | { op: 'commit' }
  | { op: 'rollback' };

export interface WireError {
  message: string;
  /** PostgreSQL's fields (code, detail, constraint, …): callers branch on `code` as with a local error. */
  fields: Record<string, string | number>;
}

export type WireReply = { ok: true; result: unknown } | { ok: false; error: WireError };

export interface Hello {
  pid: number;
  migrations: string[];
}

/** Unix socket paths are limited to ~104 bytes: a deeper data directory gets one in the temp folder, named after it. */
const MAX_SOCKET_PATH = 100;

/** Where `mailroom run` listens for the commands beside it: in the data directory, or a stand-in named after it. */
export function embeddedSocketPath(dataPath: string): string {
  const folder = resolve(dataPath);
  const beside = join(folder, 'mailroom.sock');
  if (beside.length <= MAX_SOCKET_PATH) return beside;
  return join(tmpdir(), `mailroom-${createHash('sha256').update(folder).digest('hex').slice(0, 16)}.sock`);
}

export function writeFrame(socket: Socket, value: WireRequest | WireReply | Hello): void {
  const body = serialize(value);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(body.length);
  socket.write(head);
  socket.write(body);
}

/** Calls `onFrame` for every whole frame; chunks are joined once per frame, so a 24 MB row is not copied per chunk. */
export function readFrames(socket: Socket, onFrame: (value: unknown) => void): void {
  let chunks: Buffer[] = [];
  let buffered = 0;
  let needed = 4;
  let inBody = false;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    buffered += chunk.length;
    while (buffered >= needed) {
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
      const frame = all.subarray(0, needed);
      const rest = all.subarray(needed);
      chunks = rest.length > 0 ? [rest] : [];
      buffered = rest.length;
      if (inBody) {
        inBody = false;
        needed = 4;
        onFrame(deserialize(frame));
      } else {
        inBody = true;
        needed = frame.readUInt32BE(0);
      }
    }
  });
}

/** An error as it crosses the wire: the message and PostgreSQL's fields, never a stack from the other process. */
export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  return { message: error.message, fields };
}

export function fromWireError(wire: WireError): Error {
  return Object.assign(new Error(wire.message), wire.fields);
}
