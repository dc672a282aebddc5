import type { Logger } from '../util/logger.js';

/** The logger shape imapflow calls (its `Logger` type, restated to keep our types independent of it). */
export interface ImapFlowLogger {
  trace(obj: unknown): void;
  debug(obj: unknown): void;
  info(obj: unknown): void;
  warn(obj: unknown): void;
  error(obj: unknown): void;
  fatal(obj: unknown): void;
}

/**
 * imapflow logs every connection step at info and every protocol line at debug, which would drown
 * Mailroom's own once-per-state-change lines. Its output goes to our debug level (trace for its
 * debug), or nowhere when that is off. Any entry containing one of the secrets is replaced whole:
 * imapflow hides LOGIN and AUTHENTICATE frames itself, this is the second belt.
 */
export function imapFlowLogger(logger: Logger, secrets: Array<string | undefined>): ImapFlowLogger | false {
  if (!logger.isLevelEnabled('debug')) return false;
  const hidden = secrets.filter((s): s is string => typeof s === 'string' && s.length >= 4);
  const child = logger.child({ component: 'imapflow' });
  const emit = (level: 'debug' | 'trace') => (obj: unknown) => {
    if (!logger.isLevelEnabled(level)) return;
    const entry = sanitize(obj, hidden);
    if (entry) child[level](entry, typeof entry.msg === 'string' ? entry.msg : 'imapflow');
  };
  return { trace: emit('trace'), debug: emit('trace'), info: emit('debug'), warn: emit('debug'), error: emit('debug'), fatal: emit('debug') };
}

function sanitize(obj: unknown, secrets: string[]): Record<string, unknown> | null {
  if (typeof obj !== 'object' || obj === null) return { msg: String(obj) };
  let text: string;
  try {
    text = JSON.stringify(obj);
  } catch {
    return null;
  }
  if (secrets.some((s) => text.includes(s) || text.includes(Buffer.from(s).toString('base64')))) {
    return { msg: 'imapflow log entry withheld: it contained a credential' };
  }
  // Keep what helps debugging; drop payload fields that can be large (raw protocol data).
  const { msg, cid, src, err, code, command, ...rest } = obj as Record<string, unknown>;
  void rest;
  return { msg, cid, src, code, command, err: err instanceof Error ? err.message : err };
}
