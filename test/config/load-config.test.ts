import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/config/index.js';
import { loadConfig, parseConfigText, substituteEnv } from '../../src/config/load-config.js';

const example = fileURLToPath(new URL('../../config/example.yaml', import.meta.url));

test('no file needed: the defaults are complete', () => {
  const { config, path } = loadConfig(undefined, {});
  assert.equal(path, null);
  assert.equal(config.policy.threshold, 0.7);
  assert.equal(config.database.url, undefined);
  assert.deepEqual(config.webhooks.schedule, [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
});

test('config/example.yaml documents valid keys and takes secrets from the environment', () => {
  const { config } = loadConfig(example, { OPENAI_API_KEY: 'sk-test', IMAP_PASSWORD: 'pw' });
  assert.equal(config.classifier.api_key, 'sk-test');
  assert.equal(config.mailboxes[0]?.password, 'pw');
  assert.equal(config.mailboxes[0]?.access_token, undefined, 'an unset ${VAR:-} means not set');
});

test('MAILROOM_CONFIG names the file when --config is absent', () => {
  const { path } = loadConfig(undefined, { MAILROOM_CONFIG: example });
  assert.equal(path, example);
});

test('${VAR}, ${VAR:-default} and $${ escapes', () => {
  const { text, missing } = substituteEnv('a: ${A}\nb: ${B:-two}\nc: $${C}\nd: ${D}', { A: 'one' });
  assert.equal(text, 'a: one\nb: two\nc: ${C}\nd: ');
  assert.deepEqual(missing, ['D']);
});

const bad: [string, RegExp][] = [
  ['policy:\n  threshold: high\n', /policy\.threshold: expected a number between 0 and 1, got "high"/],
  ['policy:\n  threshold: 1.5\n', /policy\.threshold: expected a number between 0 and 1, got 1\.5/],
  ['polcy:\n  threshold: 0.5\n', /unknown key "polcy"/],
  ['mailboxes:\n  - name: support\n    host: imap.example.com\n', /mailboxes\[0\]\.user: missing/],
  ['webhooks:\n  timeout: soon\n', /webhooks\.timeout: expected a duration like "30s", "5m" or "7d", got "soon"/],
  ['classifier: [1, 2\n', /not valid YAML/],
  ['- just\n- a list\n', /expected a mapping/],
];
for (const [text, expected] of bad) {
  test(`a bad file names the key, the value and what is expected: ${expected.source}`, () => {
    assert.throws(
      () => parseConfigText(text, 'bad.yaml', {}),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^bad\.yaml/);
        assert.match(error.message, expected);
        return true;
      },
    );
  });
}

test('a missing file says so and what to do', () => {
  assert.throws(() => loadConfig('/nonexistent/mailroom.yaml', {}), /cannot read config file \/nonexistent\/mailroom\.yaml: no such file/);
});
