/**
 * A private Dovecot for tests: its own configuration, passwd-file and maildirs in a temporary folder
 * under /tmp, listening on a free loopback port, started as its own process group and stopped with it.
 * Never touches /etc/dovecot or the system service.
 *
 * Facts this relies on (see shared/TOOLCHAIN.md "Running a private Dovecot"): Dovecot refuses mail
 * access as root, so mail is stored as the `mail` user; the auth process runs as root so it can read
 * a passwd-file in a private folder; Unix socket paths are limited to 108 bytes, so base_dir is short;
 * Dovecot keeps inherited stdout/stderr open, so its output goes to a file.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { reapOnExit } from './reap-on-exit.js';

export const DOVECOT_BINARY = process.env.MAILROOM_TEST_DOVECOT ?? '/usr/sbin/dovecot';

export interface DovecotUser {
  user: string;
  password: string;
}

export interface StartDovecotOptions {
  users?: DovecotUser[];
  /**
   * 'test' (default) raises the per-user connection and process limits so tests never meet them;
   * 'stock' keeps Dovecot's own defaults, for measuring what a real server's limits do.
   */
  limits?: 'test' | 'stock';
  /** Extra configuration lines appended at the end (later settings win). */
  settings?: string;
  /**
   * 'full' (default): everything Dovecot offers. 'basic': CAPABILITY without CONDSTORE, QRESYNC,
   * SPECIAL-USE and MOVE, and no special-use flags on folders (what Courier offers).
   */
  capabilities?: 'full' | 'basic';
  /**
   * 'flat' (default): no prefix, separator "/" (Dovecot's usual). 'inbox-prefix': the personal
   * namespace has prefix "INBOX." and separator "." (Courier's and Cyrus's layout: INBOX.Drafts).
   */
  namespace?: 'flat' | 'inbox-prefix';
  /**
   * An IDLE that announces nothing (Courier's default, or Dovecot beyond the kernel's inotify
   * limit): new mail shows only when a command such as NOOP makes the session check. Mail is stored
   * as a private numeric uid whose inotify instances a helper process holds, so Dovecot falls back
   * to checking every mailbox_idle_check_interval (set to an hour). Needs /usr/bin/python3.
   */
  lazyIdle?: boolean;
  /**
   * false: the server takes no custom keywords (PERMANENTFLAGS without \\*, as Microsoft 365):
   * an ACL leaves the owner every right but "w" (flags other than \\Seen and \\Deleted).
   */
  keywords?: boolean;
}

export interface PrivateDovecot {
  host: '127.0.0.1';
  port: number;
  users: DovecotUser[];
  /** Kills the whole process group and removes the temporary folder. */
  stop(): Promise<void>;
  /** Kills and starts Dovecot again on the same port with the same mail (every session is dropped). */
  restart(): Promise<void>;
  /** APPENDs one message through IMAP (so Dovecot assigns the UID as it would for delivered mail). */
  append(user: string, folder: string, raw: Buffer | string, flags?: string[]): Promise<void>;
  /** A connected, logged-in client for the test's own commands; the caller logs it out. */
  client(user: string): Promise<ImapFlow>;
  /** Kills the `imap` processes serving `user` (every user when omitted): connections drop mid-command. */
  killSessions(user?: string): number;
  /** The user's Maildir folder. */
  maildir(user: string): string;
  /** Dovecot's own log (useful in assertion messages). */
  log(): string;
  /** The separator and prefix of the personal namespace (as configured). */
  namespace: { prefix: string; separator: string };
  /** Its configuration and whole log file (doveadm, session analysis). */
  configFile: string;
  logFile: string;
  /** Delivers one message the way a local delivery agent does (doveadm save): no IMAP session of its own. */
  deliver(user: string, raw: Buffer | string, folder?: string): Promise<void>;
}

const DEFAULT_USERS: DovecotUser[] = [{ user: 'support', password: 'support-pass' }];
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

let availability: string | null | undefined;

/** null when Dovecot can run here, otherwise the reason it cannot. */
export function dovecotUnavailable(): string | null {
  if (availability !== undefined) return availability;
  if (process.platform !== 'linux') availability = `Dovecot tests need Linux (this is ${process.platform})`;
  else if (!existsSync(DOVECOT_BINARY)) availability = `${DOVECOT_BINARY} is not installed (apt-get install -y dovecot-imapd)`;
  else if (process.getuid?.() !== 0) availability = 'Dovecot tests need root (mail is stored as the mail user, auth runs as root)';
  else if (spawnSync('id', ['-u', 'mail']).status !== 0) availability = 'the system has no "mail" user to store test mail as';
  else availability = null;
  return availability;
}

/**
 * The `skip` option for a describe/test using Dovecot: a reason string when it cannot run, false
 * otherwise. In CI a missing Dovecot is a failure, registered here as a failing test.
 */
export function dovecotSkip(): string | false {
  const reason = dovecotUnavailable();
  if (reason === null) return false;
  if (process.env.CI === 'true') {
    test('Dovecot is available (required in CI)', () => {
      throw new Error(`CI=true but Dovecot cannot run: ${reason}`);
    });
    return `Dovecot unavailable: ${reason}`;
  }
  return `Dovecot unavailable: ${reason}; skipped`;
}

/**
 * Python, because it can call inotify_init() in a loop; Node's watchers share one inotify
 * instance per event loop. Raises its descriptor limit first so the kernel's per-user instance
 * limit, not the per-process file limit, is what stops it; then waits until stdin closes.
 */
const HOLD_INOTIFY = `
import ctypes, resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
libc = ctypes.CDLL(None, use_errno=True)
n = 0
while libc.inotify_init() >= 0:
    n += 1
print(n, flush=True)
sys.stdin.read()
`;

/**
 * A uid no process and no account uses, whose every inotify instance a helper holds: Dovecot's
 * IDLE under that uid cannot watch the maildir and learns of new mail only from its periodic check
 * or a client's command. The kernel limit is per user, so nothing else on the machine is touched.
 */
async function holdInotify(): Promise<{ uid: number; release(): void }> {
  if (!existsSync('/usr/bin/python3')) throw new Error('lazyIdle needs /usr/bin/python3 (apt-get install -y python3)');
  const used = new Set<number>();
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) used.add(Number(line.split(':')[2]));
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      used.add(Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]));
    } catch {
      // gone
    }
  }
  let uid = 61000 + Math.floor(Math.random() * 4000);
  while (used.has(uid)) uid += 1;
  const limit = Number(readFileSync('/proc/sys/fs/inotify/max_user_instances', 'utf8').trim());
  const child = spawn('/usr/bin/python3', ['-c', HOLD_INOTIFY], { uid, gid: uid, stdio: ['pipe', 'pipe', 'inherit'] });
  const held = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the inotify holder exited with ${code}`)));
    child.stdout!.once('data', (data: Buffer) => resolve(Number(data.toString().trim())));
  });
  child.removeAllListeners('exit');
  const release = () => {
    child.stdin!.end();
    child.kill('SIGKILL');
  };
  if (held < limit) {
    release();
    throw new Error(`lazyIdle: the helper got ${held} inotify instances, below fs.inotify.max_user_instances (${limit})`);
  }
  child.unref();
  (child.stdout as unknown as { unref?: () => void }).unref?.();
  (child.stdin as unknown as { unref?: () => void }).unref?.();
  return { uid, release };
}

function userId(name: string): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim());
  return { uid, gid };
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the server answers with an IMAP greeting. */
async function waitForGreeting(port: number, deadline: number, child: ChildProcess, logFile: string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`dovecot exited with code ${child.exitCode} before listening; log:\n${safeRead(logFile)}`);
    }
    const ok = await new Promise<boolean>((resolve) => {
      const socket = netConnect({ host: '127.0.0.1', port });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(false);
      }, 1000);
      socket.once('data', (data) => {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.toString().startsWith('* OK'));
      });
      socket.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not greet on 127.0.0.1:${port} within ${START_TIMEOUT_MS} ms; log:\n${safeRead(logFile)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}

/** Dovecot 2.3's CAPABILITY after login, less CONDSTORE, QRESYNC, SPECIAL-USE and MOVE. */
const BASIC_CAPABILITY =
  'IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT SORT=DISPLAY THREAD=REFERENCES THREAD=REFS THREAD=ORDEREDSUBJECT MULTIAPPEND URL-PARTIAL CATENATE UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH ESORT SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY SNIPPET=FUZZY PREVIEW=FUZZY PREVIEW STATUS=SIZE SAVEDATE LITERAL+ NOTIFY';

function namespaceOf(options: StartDovecotOptions): { prefix: string; separator: string } {
  return options.namespace === 'inbox-prefix' ? { prefix: 'INBOX.', separator: '.' } : { prefix: '', separator: '/' };
}

function namespaceBlock(options: StartDovecotOptions): string {
  const { prefix, separator } = namespaceOf(options);
  // Without SPECIAL-USE the folders carry no \Drafts flag either: clients find them by name.
  const use = (flag: string) => (options.capabilities === 'basic' ? '' : `\n    special_use = \\${flag}`);
  const folder = (name: string) => `  mailbox ${name} {${use(name)}\n    auto = subscribe\n  }`;
  return [
    'namespace inbox {',
    '  inbox = yes',
    `  separator = ${separator}`,
    ...(prefix ? [`  prefix = ${prefix}`] : []),
    ...['Drafts', 'Sent', 'Trash'].map(folder),
    '}',
    ...(options.capabilities === 'basic' ? [`imap_capability = ${BASIC_CAPABILITY}`] : []),
    // Without inotify (lazyIdle) this is how often IDLE checks on its own: an hour is "never" in a test.
    ...(options.lazyIdle ? ['mailbox_idle_check_interval = 1h'] : []),
  ].join('\n');
}

function aclBlock(dir: string, options: StartDovecotOptions): string {
  if (options.keywords !== false) return '';
  return `mail_plugins = $mail_plugins acl\nplugin {\n  acl = vfile:${dir}/global-acl\n}`;
}

function dovecotConfig(dir: string, port: number, options: StartDovecotOptions, mailUser: string): string {
  const test = (options.limits ?? 'test') === 'test';
  return `# Private test instance written by test/support/dovecot.ts
instance_name = mailroom-test-${port}
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S.%{usecs} "
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:~/Maildir
${test ? 'mail_max_userip_connections = 500' : ''}
verbose_proctitle = yes
shutdown_clients = yes
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUser} gid=${mailUser} home=${dir}/home/%u
}
${namespaceBlock(options)}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  process_min_avail = 0
}
${test ? 'service imap {\n  process_limit = 512\n}' : ''}
service auth {
  user = root
}
service auth-worker {
  user = root
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
${aclBlock(dir, options)}
${options.settings ?? ''}
`;
}

/** Starts a private Dovecot. Call `stop()` in an `after` hook. */
export async function startDovecot(options: StartDovecotOptions = {}): Promise<PrivateDovecot> {
  const reason = dovecotUnavailable();
  if (reason) throw new Error(`cannot start Dovecot: ${reason}`);
  const users = options.users ?? DEFAULT_USERS;
  // Short: base_dir holds Unix sockets, whose paths are limited to 108 bytes.
  const dir = mkdtempSync('/tmp/mrdv-');
  chmodSync(dir, 0o755);
  const lazy = options.lazyIdle ? await holdInotify() : null;
  const mail = lazy ? { uid: lazy.uid, gid: lazy.uid } : userId('mail');
  for (const sub of ['run', 'state', 'home']) mkdirSync(join(dir, sub), { mode: 0o755 });
  for (const { user } of users) {
    const home = join(dir, 'home', user);
    mkdirSync(home, { mode: 0o700 });
    chownSync(home, mail.uid, mail.gid);
  }
  // Every right but "w": STORE of keywords is refused, APPEND (with \\Draft, \\Seen) still works.
  if (options.keywords === false) writeFileSync(join(dir, 'global-acl'), '* owner lrsitekxa\n');
  writeFileSync(join(dir, 'passwd'), `${users.map((u) => `${u.user}:{PLAIN}${u.password}::::::`).join('\n')}\n`, { mode: 0o600 });
  const port = await freeLoopbackPort();
  const configFile = join(dir, 'dovecot.conf');
  writeFileSync(configFile, dovecotConfig(dir, port, options, lazy ? String(lazy.uid) : 'mail'));
  const logFile = join(dir, 'dovecot.log');
  const outFile = join(dir, 'stdout.log');

  let child: ChildProcess | null = null;

  async function launch(): Promise<void> {
    const out = openSync(outFile, 'a');
    try {
      // -F keeps the master in the foreground: it is the process group leader we kill in stop().
      child = spawn(DOVECOT_BINARY, ['-F', '-c', configFile], { detached: true, stdio: ['ignore', out, out] });
    } finally {
      closeSync(out);
    }
    const started = child;
    started.unref();
    reapOnExit(started, { group: true });
    await waitForGreeting(port, Date.now() + START_TIMEOUT_MS, started, logFile);
  }

  async function kill(): Promise<void> {
    const running = child;
    child = null;
    if (!running?.pid || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-running.pid!, signal);
      } catch {
        // already gone
      }
    };
    signalGroup('SIGTERM');
    // A ref'd timer: the child is unref'd, so without it Node could exit while we wait.
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), STOP_TIMEOUT_MS)))]);
    clearTimeout(timer);
    // SIGKILL the group in any case: imap children may outlive the master's shutdown.
    signalGroup('SIGKILL');
    if (timedOut) {
      const keepAlive = setInterval(() => {}, 1000);
      await exited;
      clearInterval(keepAlive);
    }
  }

  try {
    await launch();
  } catch (error) {
    lazy?.release();
    throw error;
  }

  const findUser = (user: string) => {
    const found = users.find((u) => u.user === user);
    if (!found) throw new Error(`no test user ${user} in this Dovecot (users: ${users.map((u) => u.user).join(', ')})`);
    return found;
  };

  const client = async (user: string): Promise<ImapFlow> => {
    const { password } = findUser(user);
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
      disableAutoIdle: true,
    });
    imap.on('error', () => {
      // a test that kills sessions sees the error on its own command
    });
    await imap.connect();
    return imap;
  };

  return {
    host: '127.0.0.1',
    port,
    users,
    namespace: namespaceOf(options),
    async stop() {
      await kill();
      lazy?.release();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      await launch();
    },
    async append(user, folder, raw, flags) {
      const imap = await client(user);
      try {
        await imap.append(folder, raw, flags);
      } finally {
        await imap.logout().catch(() => imap.close());
      }
    },
    client,
    killSessions(user) {
      const leader = (child as ChildProcess | null)?.pid;
      if (!leader) return 0;
      let killed = 0;
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue;
        try {
          const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
          // pgrp is the 5th field, after "pid (comm) state ppid"; comm may contain spaces.
          const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
          if (Number(fields[2]) !== leader) continue;
          const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
          // verbose_proctitle: "dovecot-<instance>/imap [user 127.0.0.1]"
          if (!/^dovecot[^/\s]*\/imap(\s|$)/.test(cmdline)) continue;
          if (user !== undefined && !cmdline.includes(`[${user} `)) continue;
          process.kill(Number(entry), 'SIGKILL');
          killed += 1;
        } catch {
          // the process ended while we looked
        }
      }
      return killed;
    },
    maildir(user) {
      findUser(user);
      return join(dir, 'home', user, 'Maildir');
    },
    log: () => safeRead(logFile),
    configFile,
    logFile,
    deliver(user, raw, folder = 'INBOX') {
      findUser(user);
      return new Promise((resolve, reject) => {
        const child = spawn('doveadm', ['-c', configFile, 'save', '-u', user, '-m', folder], { stdio: ['pipe', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`doveadm save for ${user} exited with ${code}: ${stderr.trim()}`))));
        child.stdin!.end(raw);
      });
    },
  };
}
