import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Clock } from '../../util/clock.js';

/**
 * Console sign-in sessions, kept in this process's memory. The cookie carries only a random id;
 * the API token it was exchanged for stays on the server and is what every page sends to the API,
 * so a session can do exactly what its token can, no more. Memory rather than the database: a
 * restart signs people out (acceptable for an operator's console) and no token is ever at rest.
 */
export interface Session {
  /** sha256 of the cookie value: the map key, so the value itself is not kept. */
  key: string;
  token: string;
  /** Sent back with every form; a change without it is refused. */
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  /** One message for the next page (after a redirect), then gone. */
  flash: { text: string; kind: 'ok' | 'error' } | null;
}

export const SESSION_COOKIE = 'mailroom_session';
/** Double-submit cookie for the sign-in form, which has no session yet to hold a CSRF token. */
export const LOGIN_COOKIE = 'mailroom_login';
/** Beyond this many live sessions the least recently used is signed out. */
const MAX_SESSIONS = 1000;

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
export const randomToken = () => randomBytes(32).toString('base64url');

export class ConsoleSessions {
  readonly #sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    /** A session ends this long after sign-in, however busy. */
    readonly ttlMs: number,
    /** …or after this long without a request. */
    readonly idleMs: number,
  ) {}

  /** A new session for a token already checked against api.tokens; returns the cookie value. */
  create(token: string): { cookie: string; session: Session } {
    const cookie = randomToken();
    const now = this.clock.now().getTime();
    const session: Session = { key: digest(cookie), token, csrf: randomToken(), createdAt: now, lastSeenAt: now, flash: null };
    this.#sessions.set(session.key, session);
    if (this.#sessions.size > MAX_SESSIONS) this.#evictOldest();
    return { cookie, session };
  }

  /** The live session for a cookie value (touching it), or null when unknown or expired. */
  get(cookie: string | undefined): Session | null {
    if (!cookie) return null;
    const key = digest(cookie);
    const session = this.#sessions.get(key);
    if (!session) return null;
    const now = this.clock.now().getTime();
    if (now - session.createdAt >= this.ttlMs || now - session.lastSeenAt >= this.idleMs) {
      this.#sessions.delete(key);
      return null;
    }
    session.lastSeenAt = now;
    // Re-inserted so the map's order is least recently used first.
    this.#sessions.delete(key);
    this.#sessions.set(key, session);
    return session;
  }

  destroy(session: Session): void {
    this.#sessions.delete(session.key);
  }

  get size(): number {
    return this.#sessions.size;
  }

  #evictOldest(): void {
    const oldest = this.#sessions.keys().next().value;
    if (oldest !== undefined) this.#sessions.delete(oldest);
  }
}

export function sameSecret(a: string | undefined, b: string): boolean {
  if (typeof a !== 'string') return false;
  const x = Buffer.from(digest(a));
  const y = Buffer.from(digest(b));
  return timingSafeEqual(x, y);
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/**
 * HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure when the
 * console is reached over https — directly, or as api.public_url says behind a proxy.
 */
export function setCookie(reply: FastifyReply, name: string, value: string, options: { maxAgeSeconds: number; secure: boolean; path?: string }): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? '/'}`, `Max-Age=${options.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Strict'];
  if (options.secure) parts.push('Secure');
  const previous = reply.getHeader('set-cookie');
  const list = Array.isArray(previous) ? previous : typeof previous === 'string' ? [previous] : [];
  reply.header('set-cookie', [...list, parts.join('; ')]);
}
