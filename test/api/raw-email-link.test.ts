import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, configSchema, parseConfigText } from '../../src/config/index.js';
import { rawEmailUrl, signRawEmailToken, verifyRawEmailToken } from '../../src/webhooks/raw-email-link.js';

const now = new Date('2026-11-23T09:14:03Z');
const config = (api: Record<string, unknown> = {}, webhooks: Record<string, unknown> = {}) => configSchema.parse({ api: { public_url: 'https://mailroom.example.com/base/', ...api }, webhooks });

test('rawEmailUrl: null without api.public_url; otherwise a link under it that expires after api.raw_link_ttl', () => {
  assert.equal(rawEmailUrl(configSchema.parse({ api: { link_secret: 'x'.repeat(32) } }), 'em_1', now), null);
  const c = config({ link_secret: 'link-secret-0123456789abcdef-0123456', raw_link_ttl: '2d' });
  const url = new URL(rawEmailUrl(c, 'em_01J', now)!);
  assert.equal(url.origin + url.pathname, 'https://mailroom.example.com/base/v1/emails/em_01J/raw');
  const token = url.searchParams.get('token')!;
  assert.equal(Number(token.split('.')[0]), now.getTime() / 1000 + 2 * 86_400);
  assert.deepEqual(verifyRawEmailToken(c, 'em_01J', token, new Date(now.getTime() + 2 * 86_400_000 - 1000)), {
    ok: true,
    expiresAt: new Date(now.getTime() + 2 * 86_400_000),
  });
  assert.deepEqual(verifyRawEmailToken(c, 'em_01J', token, new Date(now.getTime() + 2 * 86_400_000)), { ok: false, reason: 'expired' });
  assert.deepEqual(verifyRawEmailToken(c, 'em_OTHER', token, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyRawEmailToken(c, 'em_01J', `${token}x`, now), { ok: false, reason: 'malformed' });
});

test('the signing key: link_secret, else derived from webhooks.secret_key, else from the key file; each signs differently', () => {
  const expires = new Date(now.getTime() + 60_000);
  const byLink = signRawEmailToken(config({ link_secret: 'link-secret-0123456789abcdef-0123456' }), 'em_1', expires);
  const bySecretKey = signRawEmailToken(config({}, { secret_key: 'webhook-key-0123456789abcdef' }), 'em_1', expires);
  const byOtherKey = signRawEmailToken(config({}, { secret_key: 'webhook-key-different-0123456' }), 'em_1', expires);
  assert.equal(new Set([byLink, bySecretKey, byOtherKey]).size, 3);
  assert.equal(verifyRawEmailToken(config({}, { secret_key: 'webhook-key-0123456789abcdef' }), 'em_1', bySecretKey, now).ok, true);
  assert.equal(verifyRawEmailToken(config({}, { secret_key: 'webhook-key-different-0123456' }), 'em_1', bySecretKey, now).ok, false);

  const dir = mkdtempSync(join(tmpdir(), 'mailroom-link-'));
  try {
    const keyFile = join(dir, 'secret.key');
    const fromFile = signRawEmailToken(config(), 'em_1', expires, { keyFile });
    assert.ok(readFileSync(keyFile, 'utf8').trim().length > 20, 'the key file was created');
    assert.equal(verifyRawEmailToken(config(), 'em_1', fromFile, now, { keyFile }).ok, true, 'a second process with the same key file agrees');
    // The derived link key is not the material itself (HKDF under its own label).
    const asLinkSecret = signRawEmailToken(config({ link_secret: readFileSync(keyFile, 'utf8').trim() }), 'em_1', expires);
    assert.notEqual(asLinkSecret, fromFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Security (issue 17, finding 9): one canonical spelling per token, and no guessable link key.
test('a token verifies only as it was issued: no leading zero on the expiry, no other final base64url character', () => {
  const c = config({ link_secret: 'link-secret-0123456789abcdef-0123456' });
  const token = signRawEmailToken(c, 'em_1', new Date(now.getTime() + 60_000));
  assert.equal(verifyRawEmailToken(c, 'em_1', token, now).ok, true);
  const [expiry, signature] = token.split('.') as [string, string];
  assert.deepEqual(verifyRawEmailToken(c, 'em_1', `0${expiry}.${signature}`, now), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifyRawEmailToken(c, 'em_1', `00${expiry}.${signature}`, now), { ok: false, reason: 'malformed' });
  // The last of 43 characters carries 4 bits of the MAC and 2 unused ones: three other characters decode alike.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(signature.at(-1)!);
  const variants = [1, 2, 3].map((d) => `${expiry}.${signature.slice(0, -1)}${alphabet[(last & ~3) | ((last + d) & 3)]}`);
  for (const variant of variants) {
    assert.deepEqual(Buffer.from(variant.split('.')[1]!, 'base64url'), Buffer.from(signature, 'base64url'), 'the variant decodes to the same MAC');
    assert.deepEqual(verifyRawEmailToken(c, 'em_1', variant, now), { ok: false, reason: 'bad-signature' });
  }
});

test('api.link_secret shorter than 32 characters stops the start, without printing it', () => {
  assert.throws(
    () => parseConfigText('api:\n  link_secret: ${LINK}\n', 'm.yaml', { LINK: 'short-Secr3t-31-characters-long' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /api\.link_secret: expected at least 32 random characters/);
      assert.doesNotMatch(error.message, /short-Secr3t/);
      return true;
    },
  );
  assert.equal(parseConfigText('api:\n  link_secret: ${LINK}\n', 'm.yaml', { LINK: 'x'.repeat(32) }).api.link_secret, 'x'.repeat(32));
  assert.equal(parseConfigText('api:\n  link_secret: ${LINK:-}\n', 'm.yaml', {}).api.link_secret, undefined, 'not set is fine: the key is derived');
});
