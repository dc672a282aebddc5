/**
 * What the IMAP server sees, independent of Mailroom's own tables: which users have a session
 * open right now and which of those are in IDLE (Dovecot's verbose_proctitle shows
 * "dovecot-<instance>/imap [user ip COMMAND]" for every session), and, from Dovecot's log with
 * microsecond timestamps, every session's login and logout — so two sessions of one mailbox at
 * once are caught even between samples.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface SessionSample {
  at: number;
  /** Users with at least one imap session. */
  withSession: number;
  /** Users with two or more imap sessions at this instant. */
  doubled: string[];
  /** Users with two or more sessions in IDLE at this instant. */
  doubledIdle: string[];
}

/** One look at the server's imap processes of the instance listening on `port`. */
export function sampleSessions(port: number, users?: ReadonlySet<string>): SessionSample {
  const prefix = `dovecot-mailroom-test-${port}/imap [`;
  const sessions = new Map<string, number>();
  const idle = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'latin1');
    } catch {
      continue;
    }
    if (!cmdline.startsWith(prefix)) continue;
    const [user, , command] = cmdline
      .slice(prefix.length)
      .replace(/[\]\0\s]+$/, '')
      .split(' ');
    if (!user || (users && !users.has(user))) continue;
    sessions.set(user, (sessions.get(user) ?? 0) + 1);
    if (command === 'IDLE') idle.set(user, (idle.get(user) ?? 0) + 1);
  }
  const over = (m: Map<string, number>) => [...m].filter(([, n]) => n > 1).map(([u]) => u);
  return { at: Date.now(), withSession: sessions.size, doubled: over(sessions), doubledIdle: over(idle) };
}

/** Samples every `everyMs` until stopped; keeps the worst it saw. */
export function watchSessions(port: number, everyMs: number, users?: ReadonlySet<string>) {
  let samples = 0;
  const doubled = new Set<string>();
  const doubledIdle = new Set<string>();
  let last: SessionSample = sampleSessions(port, users);
  const timer = setInterval(() => {
    last = sampleSessions(port, users);
    samples += 1;
    for (const u of last.doubled) doubled.add(u);
    for (const u of last.doubledIdle) doubledIdle.add(u);
  }, everyMs);
  return {
    last: () => last,
    stop() {
      clearInterval(timer);
      return { samples, doubled: [...doubled], doubledIdle: [...doubledIdle] };
    },
  };
}

export interface SessionOverlap {
  user: string;
  first: { login: string; logout: string | null };
  second: { login: string; logout: string | null };
}

/**
 * Every IMAP session of the given users in Dovecot's log, and each pair of one user's sessions
 * that overlapped in time (a login before the previous session's logout).
 */
export function sessionOverlaps(logFile: string, users: ReadonlySet<string>, since = 0): { sessions: number; overlaps: SessionOverlap[] } {
  const logins = new Map<string, { user: string; login: number; loginText: string; logout: number; logoutText: string | null }>();
  const loginLine = /^(\S+ \S+) imap-login: Info: Login: user=<([^>]+)>.*?session=<([^>]+)>/;
  const endLine = /^(\S+ \S+) imap\(([^)]+)\)<\d+><([^>]+)>: (?:Info|Error|Warning|Fatal): (?:Disconnected|Logged out|Connection closed)/;
  for (const line of readFileSync(logFile, 'utf8').split('\n')) {
    const login = loginLine.exec(line);
    if (login) {
      const at = Date.parse(login[1]!.replace(' ', 'T'));
      if (at < since || !users.has(login[2]!)) continue;
      logins.set(login[3]!, { user: login[2]!, login: at, loginText: login[1]!, logout: Number.POSITIVE_INFINITY, logoutText: null });
      continue;
    }
    const end = endLine.exec(line);
    if (end) {
      const session = logins.get(end[3]!);
      if (session && session.logoutText === null) {
        session.logout = Date.parse(end[1]!.replace(' ', 'T'));
        session.logoutText = end[1]!;
      }
    }
  }
  const byUser = new Map<string, Array<typeof logins extends Map<string, infer V> ? V : never>>();
  for (const s of logins.values()) byUser.set(s.user, [...(byUser.get(s.user) ?? []), s]);
  const overlaps: SessionOverlap[] = [];
  for (const [user, list] of byUser) {
    list.sort((a, b) => a.login - b.login);
    for (let i = 1; i < list.length; i++) {
      const previous = list[i - 1]!;
      const current = list[i]!;
      if (current.login < previous.logout) {
        overlaps.push({ user, first: { login: previous.loginText, logout: previous.logoutText }, second: { login: current.loginText, logout: current.logoutText } });
      }
    }
  }
  return { sessions: logins.size, overlaps };
}
