import { type Config, loadConfig, parseSince } from '../config/index.js';
import { type DatabaseAccess, type Db, describeDatabase, migrateToLatest, openDatabaseAccess } from '../db/index.js';
import { createRedactingLogger } from '../ops/index.js';
import type { Logger } from '../util/logger.js';
import { visible } from '../util/terminal-text.js';

/** What a command works with: validated configuration, a migrated database and a logger. */
export interface App {
  config: Config;
  configPath: string | null;
  db: Db;
  logger: Logger;
  close(): Promise<void>;
}

export interface AppOptions {
  config?: string;
  /** `mailroom run`: holds the embedded database and serves it to the other commands; a second one is refused. */
  service?: boolean;
}

export type AppFactory = (opts: AppOptions) => Promise<App>;

/** Loads the configuration (exit 2 on error, before anything is touched), opens and migrates the database. */
export const openApp: AppFactory = async (opts) => {
  const { config, path } = loadConfig(opts.config);
  // Every secret of the configuration is scrubbed from every line, library errors included.
  const logger = createRedactingLogger(config);
  let access: DatabaseAccess | null = null;
  try {
    access = await openDatabaseAccess(config.database, {
      role: opts.service ? 'service' : 'command',
      onWait: (message) => process.stderr.write(`mailroom: ${message}\n`),
    });
    // The service migrated when it started; a command beside it checked that its schema is the same.
    if (access.servicePid === null) await migrateToLatest(access.db);
  } catch (error) {
    await access?.close().catch(() => {});
    throw new Error(`cannot open the database (${describeDatabase(config.database)}): ${(error as Error).message}`, { cause: error });
  }
  const opened: DatabaseAccess = access;
  let closed = false;
  return {
    config,
    configPath: path,
    db: opened.db,
    logger,
    async close() {
      if (closed) return;
      closed = true;
      await opened.close();
    },
  };
};

/** Exit codes (docs/design.md): 0 success, 1 some input failed (the rest was done), 2 bad usage or configuration. */
export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 1;
export const EXIT_USAGE = 2;

/** Bad usage: wrong arguments, unknown id, a refused URL. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One JSON object per line, for programs. */
export function printJsonLine(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A plain aligned table for people; long cells are cut with an ellipsis. */
export function formatTable(header: string[], rows: string[][], maxWidths: number[] = []): string {
  const cut = (text: string, i: number) => {
    const max = maxWidths[i];
    // Cells hold subjects, senders and receivers' answers: nothing in them may act on the terminal.
    const flat = visible(text.replace(/\s+/g, ' '));
    return max && flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  };
  const cells = [header, ...rows].map((row) => row.map(cut));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => (row[i] ?? '').length)));
  return `${cells.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

/** `--since 1d` (a duration back from now) or `--since 2026-11-01T00:00Z` (a date). */
export function parseSinceFlag(value: string, now: Date = new Date()): Date {
  const since = parseSince(value, now);
  if (since === null) throw new UsageError(`--since: expected a duration like 1d or 12h, or a date like 2026-11-01, got "${value}"`);
  return since;
}
