import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeEml } from '../support/make-eml.js';
import { runCli } from '../support/run-cli.js';

let folder: string;
let good: string;
let config: string;
before(() => {
  folder = mkdtempSync(join(tmpdir(), 'mailroom-cli-'));
  good = join(folder, 'good.eml');
  writeFileSync(good, makeEml({ messageId: '<cli-good@azienda.example>' }));
  writeFileSync(join(folder, 'empty.eml'), '');
  writeFileSync(join(folder, 'binary.eml'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
  config = join(folder, 'mailroom.yaml');
  writeFileSync(config, `database:\n  path: ${join(folder, 'db')}\nclassifier:\n  provider: rules\n`);
});
after(() => rmSync(folder, { recursive: true, force: true }));

test('a broken config stops with exit 2 and one line naming the key, before touching anything', async () => {
  const bad = join(folder, 'bad.yaml');
  writeFileSync(bad, `database:\n  path: ${join(folder, 'never')}\npolicy:\n  threshold: high\n`);
  const result = await runCli(['--config', bad, 'triage', good]);
  assert.equal(result.code, 2);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, /policy\.threshold: expected a number between 0 and 1, got "high"/);
  assert.equal(result.stdout, '');
});

test('bad usage exits 2', async () => {
  const result = await runCli(['triage', '--action', 'x']);
  assert.equal(result.code, 2);
});

test('--dry-run --json: one line per file; missing, empty and binary files get a one-line error; exit 1', async () => {
  const files = [good, join(folder, 'missing.eml'), join(folder, 'empty.eml'), join(folder, 'binary.eml')];
  const result = await runCli(['--config', config, 'triage', '--json', '--dry-run', ...files]);
  assert.equal(result.code, 1, result.stderr);
  const lines = result.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 4);
  assert.equal(lines[0]!.file, good);
  assert.ok(['ticket', 'draft', 'review', 'ignore'].includes(lines[0]!.action as string));
  assert.ok(Array.isArray(lines[0]!.reasons));
  assert.equal(lines[0]!.message_id, '<cli-good@azienda.example>');
  assert.ok(lines[0]!.classification, 'the classification is included');
  assert.match(String(lines[1]!.error), /no such file/);
  assert.match(String(lines[2]!.error), /empty/);
  assert.match(String(lines[3]!.error), /binary|not an email/i);
  for (const line of lines.slice(1)) assert.ok(!String(line.error).includes('\n'), 'one line');
});

test('triage stores decisions; a second run reuses them and decisions list shows them', async () => {
  const first = await runCli(['--config', config, 'triage', '--json', good]);
  assert.equal(first.code, 0, first.stderr);
  const a = JSON.parse(first.stdout.trim()) as { action: string; reused: boolean; email_id: string };
  assert.equal(a.reused, false);
  const second = await runCli(['--config', config, 'triage', '--json', good]);
  const b = JSON.parse(second.stdout.trim()) as { action: string; reused: boolean; email_id: string };
  assert.equal(b.reused, true);
  assert.equal(b.email_id, a.email_id);
  assert.equal(b.action, a.action);
  const list = await runCli(['--config', config, 'decisions', 'list', '--json']);
  assert.equal(list.code, 0, list.stderr);
  const rows = list.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { email_id: string });
  assert.deepEqual(
    rows.map((r) => r.email_id),
    [a.email_id],
  );
});
