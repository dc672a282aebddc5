import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { configSchema } from '../../src/config/index.js';
import { createSecretBox, readOrCreateKeyFile, secretBoxFromConfig } from '../../src/db/secret-box.js';
import { generateWebhookSecret, signWebhook } from '../../src/webhooks/send-signed.js';

test('generated secrets are whsec_ + base64 of 24 bytes and differ', () => {
  const a = generateWebhookSecret();
  assert.match(a, /^whsec_[A-Za-z0-9+/]{32}$/);
  assert.equal(Buffer.from(a.slice(6), 'base64').length, 24);
  assert.notEqual(a, generateWebhookSecret());
});

test('standardwebhooks verifies our signature; a changed byte or another secret does not', () => {
  const secret = generateWebhookSecret();
  const body = JSON.stringify({ type: 'ticket.suggested', data: { subject: 'Non funziona — ü 🎫' } });
  const headers = signWebhook({ id: 'msg_01ABC', timestamp: new Date(), body, secrets: [secret] });
  assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
  assert.deepEqual(new Webhook(secret).verify(body, { ...headers }), JSON.parse(body));
  assert.throws(() => new Webhook(secret).verify(body.replace('ü', 'u'), { ...headers }), /No matching signature/);
  assert.throws(() => new Webhook(generateWebhookSecret()).verify(body, { ...headers }), /No matching signature/);
});

test('two secrets give two v1 signatures in one header, each verifying alone', () => {
  const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
  const body = '{"type":"ping"}';
  const headers = signWebhook({ id: 'msg_1', timestamp: new Date(), body, secrets: [newSecret, oldSecret] });
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  new Webhook(oldSecret).verify(body, { ...headers });
  new Webhook(newSecret).verify(body, { ...headers });
});

test('secrets encrypted at rest: the stored form does not contain the secret, and only the same key and row decrypt it', () => {
  const box = createSecretBox('key-one-0123456789abcdef0123456789', 'test');
  const secret = generateWebhookSecret();
  const stored = box.encrypt(secret, 'sub_A');
  assert.ok(!stored.includes(secret.slice(6)));
  assert.notEqual(box.encrypt(secret, 'sub_A'), stored, 'a fresh IV each time');
  assert.equal(box.decrypt(stored, 'sub_A'), secret);
  assert.throws(() => box.decrypt(stored, 'sub_B'), /does not decrypt \(altered or copied from another row\)/);
  const other = createSecretBox('key-two-0123456789abcdef0123456789', 'webhooks.secret_key');
  assert.throws(() => other.decrypt(stored, 'sub_A'), /encrypted under another key .* give every Mailroom process the same webhooks\.secret_key/);
});

test('without webhooks.secret_key a key file is created once, mode 0600, and reused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailroom-key-'));
  try {
    const config = configSchema.parse({ database: { path: join(dir, 'data', 'pglite') } });
    const box = secretBoxFromConfig(config);
    assert.equal(box.source, join(dir, 'data', 'secret.key'));
    assert.equal(statSync(box.source).mode & 0o777, 0o600);
    const stored = box.encrypt('whsec_abc', 'sub_X');
    assert.equal(secretBoxFromConfig(config).decrypt(stored, 'sub_X'), 'whsec_abc', 'a second process reads the same key');
    assert.equal(readOrCreateKeyFile(box.source).length, 44);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
