import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createApiServer } from '../../src/api/create-server.js';
import { configSchema } from '../../src/config/index.js';
import type { Db } from '../../src/db/index.js';
import { createRedactingLogger, REDACTED, redactLogLine, redactSecrets, SecretSet, secretsFromConfig } from '../../src/ops/redact.js';
import { createMetrics } from '../../src/util/metrics.js';
import { PROJECT_ROOT } from '../support/run-cli.js';

// Deliberately awkward: quotes and backslashes change under JSON escaping, `+/=` under URL encoding.
const IMAP_PASSWORD = 'Imap"Pass\\word+42';
const ACCESS_TOKEN = 'ya29.a0AfH6SMBxOauthAccessToken';
const OPENAI_KEY = 'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX0123';
const SECRET_KEY = 'webhook-encryption-key-0123456789abcdef';
const API_TOKEN = 'api-bearer-token-0123456789abcdef';
const LINK_SECRET = 'raw-link-signing-secret-0123456789';
const SMTP_PASSWORD = 'smtp-pass-7777';
const DB_PASSWORD = 'db-pass-Qx93';
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'; // from the database: not in the configuration

const config = configSchema.parse({
  database: { url: `postgres://mailroom:${DB_PASSWORD}@db.internal:5432/mailroom` },
  mailboxes: [
    { name: 'support', host: 'imap.example.com', user: 'support@example.com', password: IMAP_PASSWORD },
    { name: 'sales', host: 'imap.example.com', user: 'sales@example.com', access_token: ACCESS_TOKEN },
  ],
  classifier: { api_key: OPENAI_KEY },
  webhooks: { secret_key: SECRET_KEY },
  api: { tokens: [API_TOKEN], link_secret: LINK_SECRET },
  drafts: { smtp: { host: 'smtp.example.com', password: SMTP_PASSWORD } },
});
const ALL_SECRETS = [IMAP_PASSWORD, ACCESS_TOKEN, OPENAI_KEY, SECRET_KEY, API_TOKEN, LINK_SECRET, SMTP_PASSWORD, DB_PASSWORD, WEBHOOK_SECRET];

/** Every way a secret could appear in a written line. */
function forms(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
}

function assertNoSecret(text: string, where: string): void {
  for (const secret of ALL_SECRETS) {
    for (const form of forms(secret)) assert.ok(!text.includes(form), `${where} contains ${JSON.stringify(form)}:\n${text}`);
  }
}

function capture(): { stream: Writable; lines: () => string[] } {
  let buffer = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      buffer += chunk.toString();
      done();
    },
  });
  return { stream, lines: () => buffer.split('\n').filter(Boolean) };
}

test('secretsFromConfig finds every secret the configuration holds, the database password included', () => {
  const found = secretsFromConfig(config, { OPENAI_API_KEY: 'sk-from-environment-0123456789' });
  for (const secret of [...ALL_SECRETS.filter((s) => s !== WEBHOOK_SECRET), 'sk-from-environment-0123456789']) assert.ok(found.includes(secret), secret);
});

test('redactSecrets replaces secrets and secret-shaped strings, and leaves the rest readable', () => {
  const text = [
    `login failed for support@example.com with password ${IMAP_PASSWORD}`,
    `Authorization: Bearer ${API_TOKEN}`,
    `signing with ${WEBHOOK_SECRET}`,
    `connect postgres://mailroom:other-password@db:5432/x failed`,
    `GET /v1/emails/em_1/raw?token=1790000000.abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG`,
    `key sk-abcdefghijklmnopqrstuvwx in env`,
  ].join('\n');
  const out = redactSecrets(text, [IMAP_PASSWORD, API_TOKEN]);
  assert.equal(
    out,
    [
      `login failed for support@example.com with password ${REDACTED}`,
      `Authorization: Bearer ${REDACTED}`,
      `signing with whsec_${REDACTED}`,
      `connect postgres://mailroom:${REDACTED}@db:5432/x failed`,
      `GET /v1/emails/em_1/raw?token=${REDACTED}`,
      `key sk-${REDACTED} in env`,
    ].join('\n'),
  );
  assert.equal(redactSecrets('nothing to hide here', [IMAP_PASSWORD]), 'nothing to hide here');
  const set = new SecretSet(['abc', '', undefined]);
  assert.equal(set.size, 0, 'secrets shorter than 4 characters are not hunted');
});

test('a secret that contains another is replaced whole', () => {
  assert.equal(redactSecrets('x=longsecret-part2 y=longsecret', ['longsecret', 'longsecret-part2']), `x=${REDACTED} y=${REDACTED}`);
});

test('a redacted log line stays valid JSON, or is withheld', () => {
  const set = new SecretSet([IMAP_PASSWORD]);
  const line = `${JSON.stringify({ level: 50, time: 1, msg: `bad ${IMAP_PASSWORD} here` })}\n`;
  const out = redactLogLine(line, set);
  assert.deepEqual(JSON.parse(out), { level: 50, time: 1, msg: `bad ${REDACTED} here` });
  assert.ok(out.endsWith('\n'));
  // A "secret" that is part of JSON syntax would break the line when replaced: it is withheld instead.
  const brokenBy = new SecretSet(['"x","msg']);
  const withheld = JSON.parse(redactLogLine(JSON.stringify({ level: 40, time: 2, a: 'x', msg: 'y' }), brokenBy));
  assert.equal(withheld.level, 40);
  assert.match(withheld.msg, /withheld/);
});

test('the redacting logger keeps every configured secret out of every line, whatever carries it', () => {
  const { stream, lines } = capture();
  const secrets = new SecretSet();
  const logger = createRedactingLogger(config, { destination: stream, level: 'trace', secrets, env: {} });
  const cause = new Error(`upstream said: invalid key ${OPENAI_KEY}`);
  logger.error({ err: new Error(`AUTHENTICATE failed for support with ${IMAP_PASSWORD}`, { cause }) }, 'imap login failed');
  logger.error(new Error(`connect to postgres://mailroom:${DB_PASSWORD}@db.internal/mailroom refused`));
  logger.warn(`401 Incorrect API key provided: ${OPENAI_KEY}`);
  logger.info({ headers: { authorization: `Bearer ${API_TOKEN}` }, url: `/v1/emails/em_1/raw?token=1790000000.${'A'.repeat(43)}` }, 'request');
  logger.info({ config }, 'loaded configuration');
  logger.child({ subscription_id: 'sub_1', signing: WEBHOOK_SECRET }).info(`signed with ${WEBHOOK_SECRET}`);
  logger.debug({ smtp: { user: 'u', pass: SMTP_PASSWORD }, note: `secret_key=${SECRET_KEY}`, link: LINK_SECRET, oauth: Buffer.from(ACCESS_TOKEN).toString('base64') }, 'misc');
  logger.info('%s and %o', API_TOKEN, { token: API_TOKEN });
  // A secret learned at run time (a decrypted subscription secret in a library's error).
  const runtime = 'runtime-learned-secret-0042';
  secrets.add(runtime);
  logger.error({ err: new Error(`receiver echoed ${runtime}`) }, 'webhook failed');

  const written = lines();
  assert.equal(written.length, 9);
  for (const line of written) {
    const parsed = JSON.parse(line);
    assert.ok(parsed.level, 'every line is still a JSON log line');
  }
  const all = written.join('\n');
  assertNoSecret(all, 'log output');
  assert.ok(!all.includes(runtime));
  assert.match(all, /AUTHENTICATE failed for support with \[redacted\]/, 'messages stay readable');
  assert.match(all, /"subscription_id":"sub_1"/);
});

test('errors the API logs (a database failure that repeats its URL) and request tokens never reach the log', async () => {
  const { stream, lines } = capture();
  const logger = createRedactingLogger(config, { destination: stream, level: 'debug', env: {} });
  const failingDb = new Proxy(
    {},
    {
      get() {
        throw new Error(`connection to postgres://mailroom:${DB_PASSWORD}@db.internal:5432/mailroom failed: password authentication failed`);
      },
    },
  ) as unknown as Db;
  const app = createApiServer({
    db: failingDb,
    config,
    logger,
    readiness: () => ({ ready: true, database: { ok: true, error: null }, mailboxes: [], llm: { ok: true, kind: 'rules', checked_at: null, error: null } }),
    metrics: createMetrics({ defaultMetrics: false }),
  });
  const failed = await app.inject({ url: '/v1/decisions', headers: { authorization: `Bearer ${API_TOKEN}` } });
  assert.equal(failed.statusCode, 500);
  assertNoSecret(failed.body, 'the 500 answer');
  await app.inject({ url: `/v1/emails/em_1/raw?token=1790000000.${'B'.repeat(43)}` });
  await app.inject({ url: '/v1/decisions', headers: { authorization: 'Bearer wrong-token-that-is-long-enough' } });
  const written = lines();
  assert.ok(
    written.some((l) => /api request failed/.test(l) && /password authentication failed/.test(l)),
    written.join('\n'),
  );
  assertNoSecret(written.join('\n'), 'API log');
  assert.ok(!written.join('\n').includes('B'.repeat(43)), 'the raw-link token in the URL is not logged');
  await app.close();
});

test('on a terminal the logger writes pretty lines, still redacted', () => {
  const script = fileURLToPath(new URL('./pretty-logger-child.ts', import.meta.url));
  const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, CHILD_SECRET: IMAP_PASSWORD },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stderr, /INFO.*pretty line/);
  assert.ok(!result.stderr.trimStart().startsWith('{'), 'not JSON');
  assert.ok(!result.stderr.includes(IMAP_PASSWORD), result.stderr);
  assert.match(result.stderr, /\[redacted\]/);
});
