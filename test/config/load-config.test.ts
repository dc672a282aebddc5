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

test('${VAR}, ${VAR:-default} and $${ escapes in one string', () => {
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

// Security (issue 17, finding 1): ${VAR} is substituted after parsing, inside string values only.
const imapConfig = 'mailboxes:\n  - name: support\n    host: imap.example.com\n    user: support\n    password: ${IMAP_PASSWORD}\n';

test('a ${VAR} value is taken literally: a # does not start a comment', () => {
  const config = parseConfigText(imapConfig, 'm.yaml', { IMAP_PASSWORD: 'abc #def' });
  assert.equal(config.mailboxes[0]?.password, 'abc #def');
});

test('a ${VAR} value is taken literally: digits stay a string password', () => {
  const config = parseConfigText(imapConfig, 'm.yaml', { IMAP_PASSWORD: '98765432' });
  assert.equal(config.mailboxes[0]?.password, '98765432');
});

test('a ${VAR} value is taken literally: a leading * is not a YAML alias', () => {
  const config = parseConfigText(imapConfig, 'm.yaml', { IMAP_PASSWORD: '*Secr3tAlias' });
  assert.equal(config.mailboxes[0]?.password, '*Secr3tAlias');
});

test('a ${VAR} value with newlines cannot add configuration keys', () => {
  const injected = 'x\nwebhooks:\n  allow_private_networks: true\n';
  const text = `${imapConfig}webhooks:\n  secret_key: \${KEY}\n`;
  const config = parseConfigText(text, 'm.yaml', { IMAP_PASSWORD: injected, KEY: 'y\n  allow_private_networks: true' });
  assert.equal(config.mailboxes[0]?.password, injected);
  assert.equal(config.webhooks.allow_private_networks, false);
  assert.equal(config.webhooks.secret_key, 'y\n  allow_private_networks: true');
});

test('a ${VAR} inside a quoted string or a sequence is substituted; keys and $${ are not', () => {
  const text = 'api:\n  tokens: ["${T1}", "pre-${T2}"]\nclassifier:\n  instructions: "say $${NAME} literally"\n';
  const config = parseConfigText(text, 'm.yaml', { T1: 'a'.repeat(20), T2: 'b'.repeat(20) });
  assert.deepEqual(
    config.api.tokens.map((t) => t.token),
    ['a'.repeat(20), `pre-${'b'.repeat(20)}`],
  );
  assert.equal(config.classifier.instructions, 'say ${NAME} literally');
});

test('an error about a value from the environment never prints it', () => {
  const text = 'policy:\n  threshold: ${THRESHOLD}\ningest:\n  workers: ${WORKERS}\n';
  assert.throws(
    () => parseConfigText(text, 'm.yaml', { THRESHOLD: 'S3cretValue', WORKERS: '98765432' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.doesNotMatch(error.message, /S3cretValue|98765432/);
      assert.match(error.message, /policy\.threshold: .*not shown/);
      assert.match(error.message, /a \$\{VAR\} is always a string/);
      return true;
    },
  );
});

// Finding 2: an unset ${VAR} without a default is an error naming the variable and the key.
test('an unset ${VAR} without a default stops with the variable and the key named', () => {
  const text = 'database:\n  url: ${DATABSE_URL}\nclassifier:\n  api_key: ${OPENAI_API_KEY:-}\n';
  assert.throws(
    () => parseConfigText(text, 'm.yaml', { DATABASE_URL: 'postgres://x' }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /^m\.yaml: environment variable not set: \$\{DATABSE_URL\} \(database\.url\)/);
      assert.doesNotMatch(error.message, /OPENAI_API_KEY/, 'a ${VAR:-} default is fine');
      return true;
    },
  );
});

test('a ${VAR} set to the empty string is taken as empty, not as missing', () => {
  const config = parseConfigText('database:\n  url: ${DATABASE_URL}\n', 'm.yaml', { DATABASE_URL: '' });
  assert.equal(config.database.url, undefined);
});

test('a ${VAR} in a comment is not substituted and not required', () => {
  const config = parseConfigText('# smtp: {password: ${SMTP_PASSWORD}}\npolicy:\n  threshold: 0.5\n', 'm.yaml', {});
  assert.equal(config.policy.threshold, 0.5);
});

// Finding 10: an error about a secret field never echoes its value, even one written in the file.
const secretFields: [string, RegExp][] = [
  ['api:\n  tokens: ["short-Tok3n"]\n', /api\.tokens\[0\]: expected a token of at least 16 characters, got a value \(not shown: a secret\)/],
  ['mailboxes:\n  - name: s\n    host: h\n    user: u\n    password: 12345678\n', /mailboxes\[0\]\.password: expected string/],
  ['classifier:\n  api_key: 12345678\n', /classifier\.api_key: expected string/],
  ['database:\n  url: 12345678\n', /database\.url: expected string/],
];
for (const [text, expected] of secretFields) {
  test(`an error about a secret field does not echo its value: ${expected.source.slice(0, 40)}`, () => {
    assert.throws(
      () => parseConfigText(text, 'm.yaml', {}),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, expected);
        assert.doesNotMatch(error.message, /short-Tok3n|12345678/);
        return true;
      },
    );
  });
}

test('an alias bomb is a configuration error, not a crash', () => {
  const bomb = 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
  assert.throws(
    () => parseConfigText(bomb, 'm.yaml', {}),
    (error: unknown) => error instanceof ConfigError && /^m\.yaml: not valid YAML: Excessive alias count/.test(error.message),
  );
});
