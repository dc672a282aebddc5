/**
 * The compatibility matrix: `mailroom run` as a real process against Dovecot configured three ways
 * — as the other tests use it; without CONDSTORE, QRESYNC, SPECIAL-USE and MOVE (and no special-use
 * flags on folders), as Courier offers; and with the personal namespace prefix `INBOX.` and
 * separator `.` (Courier's and Cyrus's layout, where `drafts_folder: Drafts` means `INBOX.Drafts`).
 * On each: every message decided once, every keyword on the server after a SIGKILL and a restart,
 * every reply draft once in the right folder. Multi-process, so PostgreSQL only (PGlite serves one
 * process and cannot be read while `mailroom run` holds it).
 */

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { parse, stringify } from 'yaml';
import { configSchema } from '../../src/config/index.js';
import { checkMailbox } from '../../src/ops/doctor/check-mailbox.js';
import { createPostgresDatabase, postgresUnavailable, type TestDatabase } from '../support/databases.js';
import { dovecotSkip, type PrivateDovecot, type StartDovecotOptions, startDovecot } from '../support/dovecot.js';
import { appendMany, duplicateMessageIds, makeMessage, messageCount, waitFor } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pgReason = await postgresUnavailable();
const skip = dovecotSkip() || (pgReason ? `PostgreSQL not reachable (${pgReason}); skipped` : false);

interface Variant {
  name: string;
  dovecot: StartDovecotOptions;
  /** mailboxes[].drafts_folder as a user would write it; unset: found by flag or name. */
  draftsFolder?: string;
  /** Where the drafts must end up, as the server names the folder. */
  expectDrafts: string;
}

const VARIANTS: Variant[] = [
  { name: 'Dovecot as the other tests use it', dovecot: {}, expectDrafts: 'Drafts' },
  { name: 'without CONDSTORE, QRESYNC, SPECIAL-USE and MOVE', dovecot: { capabilities: 'basic' }, expectDrafts: 'Drafts' },
  { name: 'personal namespace prefix "INBOX." and separator "."', dovecot: { namespace: 'inbox-prefix' }, draftsFolder: 'Drafts', expectDrafts: 'INBOX.Drafts' },
];

const BACKLOG = 24;
const ONE_BY_ONE = 4;

interface RunProcess {
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

for (const variant of VARIANTS) {
  describe(`server matrix: ${variant.name}`, { skip }, () => {
    let dovecot: PrivateDovecot;
    let database: TestDatabase;
    let dir: string;
    const running: RunProcess[] = [];

    before(async () => {
      [dovecot, database] = await Promise.all([startDovecot(variant.dovecot), createPostgresDatabase()]);
      dir = mkdtempSync(join(tmpdir(), 'mailroom-matrix-'));
    });
    after(async () => {
      for (const p of running) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      await dovecot?.stop();
      await database?.drop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    function startRun(configFile: string, name: string): RunProcess {
      const logFile = join(dir, `${name}.log`);
      const out = openSync(logFile, 'a');
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'run', '--config', configFile], {
        cwd: ROOT,
        env: { ...process.env, MAILROOM_LOG_LEVEL: 'info' },
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      const p = { child, logFile, exited: new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code))) };
      running.push(p);
      return p;
    }

    const log = (p: RunProcess) => readFileSync(p.logFile, 'utf8');
    const count = async (query: ReturnType<typeof sql<{ n: string }>>) => Number((await query.execute(database.db)).rows[0]!.n);
    const decisions = () => count(sql<{ n: string }>`select count(*) as n from decisions`);
    const pending = () => count(sql<{ n: string }>`select (select count(*) from keyword_updates where status = 'pending') + (select count(*) from drafts where status = 'pending') as n`);

    async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, p: RunProcess): Promise<void> {
      try {
        await waitFor(what, check, timeoutMs, 250);
      } catch (error) {
        throw new Error(`${(error as Error).message}; messages ${await messageCount(database.db)}, decisions ${await decisions()}\n--- ${p.logFile}\n${log(p).slice(-3000)}`);
      }
    }

    test('every message decided once; after a SIGKILL and a restart every keyword is on the server and every draft is in the right folder, once', { timeout: 240_000 }, async () => {
      const user = dovecot.users[0]!.user;
      const configFile = join(dir, 'mailroom.yaml');
      writeFileSync(
        configFile,
        stringify({
          database: { url: database.url },
          mailboxes: [
            {
              name: 'support',
              host: dovecot.host,
              port: dovecot.port,
              security: 'plain',
              user,
              password: dovecot.users[0]!.password,
              addresses: ['support@example.com'],
              ...(variant.draftsFolder ? { drafts_folder: variant.draftsFolder } : {}),
            },
          ],
          ingest: { backfill: '1d', fetch_batch: 10, sweep_interval: '3s', keywords: true },
          classifier: { provider: 'rules' },
          drafts: { mode: 'draft' },
          api: { enabled: false },
        }),
      );
      await appendMany(
        dovecot,
        user,
        'INBOX',
        Array.from({ length: BACKLOG }, (_, i) => makeMessage(i % 4 === 0 ? `The export shows an error ${i}` : `A question ${i}`)),
        2,
      );

      const first = startRun(configFile, 'first');
      await until('part of the backlog decided', async () => (await decisions()) >= 6, 120_000, first);
      first.child.kill('SIGKILL');
      await first.exited;
      const second = startRun(configFile, 'second');
      await until('the backlog decided after the restart', async () => (await decisions()) >= BACKLOG, 120_000, second);
      // Mail that arrives while watching, one message per sweep: the case where Courier lost keywords.
      for (let i = 0; i < ONE_BY_ONE; i++) {
        const before = await decisions();
        await dovecot.append(user, 'INBOX', makeMessage(`One by one ${i}`));
        await until(`message ${i} arriving alone decided`, async () => (await decisions()) > before, 60_000, second);
      }
      await until('every keyword and draft done', async () => (await pending()) === 0, 90_000, second);
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0, log(second).slice(-3000));

      const total = BACKLOG + ONE_BY_ONE;
      assert.equal(await messageCount(database.db), total);
      assert.deepEqual(await duplicateMessageIds(database.db), []);
      assert.equal(await decisions(), total, 'one decision per message');
      assert.equal(await count(sql<{ n: string }>`select count(*) as n from keyword_updates where status <> 'done'`), 0, 'every keyword confirmed on the server');

      const client = await dovecot.client(user);
      try {
        const rows = await database.db.selectFrom('decisions as d').innerJoin('messages as m', 'm.id', 'd.email_id').select(['m.id', 'm.imap_uid', 'd.action']).execute();
        await client.mailboxOpen('INBOX', { readOnly: true });
        const flags = new Map((await client.fetchAll('1:*', { uid: true, flags: true }, { uid: true })).map((m) => [m.uid, m.flags ?? new Set<string>()]));
        const keyword = (action: string) => `$Mailroom-${action[0]!.toUpperCase()}${action.slice(1)}`;
        const missing = rows.filter((r) => r.action !== 'ignore' && !flags.get(Number(r.imap_uid))?.has(keyword(r.action)));
        assert.deepEqual(missing, [], 'every decided message carries its keyword, read from the server');

        const drafted = rows.filter((r) => r.action === 'draft').map((r) => r.id);
        assert.ok(drafted.length >= BACKLOG / 2, `most messages get a draft (${drafted.length})`);
        const folders = (await client.list()).map((f) => f.path);
        assert.ok(folders.includes(variant.expectDrafts), `folders: ${folders.join(', ')}`);
        await client.mailboxOpen(variant.expectDrafts, { readOnly: true });
        const ids = (await client.fetchAll('1:*', { headers: ['x-mailroom-email-id'] })).map((m) => (m.headers?.toString() ?? '').replace(/^x-mailroom-email-id:\s*/i, '').trim());
        assert.deepEqual([...ids].sort(), [...drafted].sort(), `one draft per draft decision, in "${variant.expectDrafts}"`);
        for (const other of folders.filter((f) => f !== variant.expectDrafts && f !== 'INBOX')) {
          const status = await client.status(other, { messages: true });
          assert.equal(status ? status.messages : null, 0, `nothing in "${other}"`);
        }
      } finally {
        await client.logout();
      }
      const checks = await checkMailbox(configSchema.parse(parse(readFileSync(configFile, 'utf8'))).mailboxes[0]!, { keywords: true });
      const check = (name: string) => checks.find((c) => c.name === name);
      assert.equal(check('mailbox support drafts')?.status, 'ok', JSON.stringify(checks));
      assert.match(check('mailbox support drafts')!.detail, new RegExp(`^reply drafts go to "${variant.expectDrafts.replace('.', '\\.')}"`), 'doctor lists the folder drafts go to');
      assert.equal(check('mailbox support keywords')?.status, 'ok', JSON.stringify(checks));
      const connected = log(second)
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { msg?: string }).msg ?? '')
        .find((msg) => msg.includes('connected, watching'));
      assert.ok(connected, 'the watcher says what it watches');
      if (variant.draftsFolder) assert.ok(connected.includes(`reply drafts go to "${variant.expectDrafts}"`), connected);
    });
  });
}
