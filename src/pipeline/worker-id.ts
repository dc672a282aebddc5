import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';

/** host:pid:random — unique per process start, readable in `locked_by`. */
export function newWorkerId(role: string): string {
  return `${hostname()}:${process.pid}:${role}:${randomBytes(3).toString('hex')}`;
}
