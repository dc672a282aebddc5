import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { ConfigError, configSchema } from '../../src/config/index.js';
import { resolveFolder } from '../../src/ingest/folders.js';
import { classifyImapError, describeImapError, imapFlowLogger, imapOptionsFor, isLoopbackHost } from '../../src/ingest/imap-client.js';
import { uidSet } from '../../src/ingest/sweep-mailbox.js';
import { silentLogger } from '../../src/util/logger.js';

const mailbox = (over: Record<string, unknown>) =>
  configSchema.parse({ mailboxes: [{ name: 'support', host: 'imap.example.com', user: 'support@example.com', password: 's3cret-pass', ...over }] }).mailboxes[0]!;

test('uidSet compresses runs', () => {
  assert.equal(uidSet([5, 1, 2, 3, 7, 9, 10]), '1:3,5,7,9:10');
  assert.equal(uidSet([4]), '4');
});

test('plain connections only to loopback hosts', () => {
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['10.0.0.1', 'imap.example.com', '128.0.0.1', '::2', 'localhost.example.com']) assert.equal(isLoopbackHost(host), false, host);
  assert.throws(
    () => imapOptionsFor(mailbox({ security: 'plain' }), silentLogger()),
    (e: Error) => e instanceof ConfigError && /only allowed to a loopback host/.test(e.message),
  );
  assert.equal(imapOptionsFor(mailbox({ security: 'plain', host: '127.0.0.1' }), silentLogger()).doSTARTTLS, false);
});

test('imap options per security mode and credential', () => {
  const tls = imapOptionsFor(mailbox({}), silentLogger());
  assert.equal(tls.secure, true);
  assert.equal(tls.port, 993);
  assert.deepEqual(tls.auth, { user: 'support@example.com', pass: 's3cret-pass' });
  const starttls = imapOptionsFor(mailbox({ security: 'starttls' }), silentLogger());
  assert.equal(starttls.secure, false);
  assert.equal(starttls.doSTARTTLS, true, 'STARTTLS is required, never silently skipped');
  assert.equal(starttls.port, 143);
  const oauth = imapOptionsFor(mailbox({ password: undefined, access_token: 'ya29.token-value' }), silentLogger());
  assert.deepEqual(oauth.auth, { user: 'support@example.com', accessToken: 'ya29.token-value' });
  assert.throws(() => imapOptionsFor(mailbox({ password: '' }), silentLogger()), /set mailboxes\[\]\.password or mailboxes\[\]\.access_token/);
  assert.equal(imapOptionsFor(mailbox({ tls_reject_unauthorized: false }), silentLogger()).tls?.rejectUnauthorized, false);
});

test('errors are sorted and described with what to do', () => {
  const m = mailbox({});
  const auth = Object.assign(new Error('Command failed'), {
    authenticationFailed: true,
    serverResponseCode: 'AUTHENTICATIONFAILED',
    responseText: 'Authentication failed.',
  });
  assert.equal(classifyImapError(auth), 'auth');
  assert.match(
    describeImapError(m, auth, 'retrying every 60 s'),
    /^mailbox "support" \(support@example.com@imap.example.com:993\): the server rejected the user name or password .*retrying every 60 s$/,
  );
  assert.equal(classifyImapError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'network');
  assert.equal(classifyImapError(Object.assign(new Error('no such mailbox'), { mailboxMissing: true })), 'folder');
  assert.match(describeImapError(mailbox({ folder: 'Support' }), { mailboxMissing: true, message: 'x' }, 'r'), /folder "Support" does not exist/);
});

test('the imapflow logger adapter is off unless debug, and withholds entries carrying a secret', () => {
  assert.equal(imapFlowLogger(pino({ level: 'info' }), ['s3cret-pass']), false);
  const lines: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write: (c, _e, cb) => {
        lines.push(c.toString());
        cb();
      },
    }),
  );
  const adapter = imapFlowLogger(logger, ['s3cret-pass']);
  assert.ok(adapter);
  adapter.info({ msg: 'Connected', cid: 'abc' });
  adapter.debug({ msg: 'C: LOGIN user s3cret-pass', cid: 'abc' });
  adapter.debug({ msg: `C: AUTHENTICATE PLAIN ${Buffer.from('s3cret-pass').toString('base64')}` });
  assert.equal(lines.length, 3);
  assert.ok(!lines.join('').includes('s3cret-pass'));
  assert.ok(!lines.join('').includes(Buffer.from('s3cret-pass').toString('base64')));
  assert.match(lines[1]!, /withheld/);
});

test('folder names resolve as written, then inside the personal namespace (Courier and Cyrus: prefix "INBOX.", separator ".")', () => {
  const listed = (...paths: string[]) => paths.map((path) => ({ path, flags: new Set<string>(path === 'INBOX.Archive' ? ['\\Noselect'] : []) }));
  const courier = { prefix: 'INBOX.', delimiter: '.' };
  const folders = listed('INBOX', 'INBOX.Drafts', 'INBOX.Sent', 'INBOX.Support.Urgent', 'INBOX.Archive');
  assert.deepEqual(resolveFolder(folders, courier, 'Drafts'), { found: true, path: 'INBOX.Drafts', viaNamespace: true });
  assert.deepEqual(resolveFolder(folders, courier, 'INBOX.Drafts'), { found: true, path: 'INBOX.Drafts', viaNamespace: false });
  assert.deepEqual(resolveFolder(folders, courier, 'drafts'), { found: true, path: 'INBOX.Drafts', viaNamespace: true }, 'case as a mail client may show it');
  assert.deepEqual(resolveFolder(folders, courier, 'Support/Urgent'), { found: true, path: 'INBOX.Support.Urgent', viaNamespace: true }, 'written with "/"');
  assert.deepEqual(resolveFolder(folders, courier, 'inbox'), { found: true, path: 'INBOX', viaNamespace: false });
  assert.deepEqual(resolveFolder(folders, courier, 'Archive'), { found: false, tried: ['Archive', 'INBOX.Archive'] }, 'a \\Noselect folder holds no mail');
  assert.deepEqual(resolveFolder(folders, courier, 'Bozze'), { found: false, tried: ['Bozze', 'INBOX.Bozze'] });
  const dovecot = { prefix: '', delimiter: '/' };
  assert.deepEqual(resolveFolder(listed('INBOX', 'Drafts', 'Support/Urgent'), dovecot, 'Support/Urgent'), { found: true, path: 'Support/Urgent', viaNamespace: false });
  assert.deepEqual(resolveFolder(listed('INBOX', 'Drafts'), dovecot, 'Entwürfe'), { found: false, tried: ['Entwürfe'] });
  assert.deepEqual(resolveFolder(listed('INBOX', 'Drafts'), null, 'Drafts'), { found: true, path: 'Drafts', viaNamespace: false }, 'a server without NAMESPACE');
});
