/**
 * `mailroom eval` on small labeled folders written here: the report's figures, --json, --fooled,
 * and a bad folder refused with the file and line (exit 2). The quality floors on eval/test are in
 * quality-floors.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeEml } from '../support/make-eml.js';
import { runCli } from '../support/run-cli.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'mailroom-eval-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Case {
  file: string;
  eml: Buffer;
  label: Record<string, unknown>;
}

const base = { prefilter: null, payment: false, legal: false, vip: false, injection: false, note: 'written for this test' };
const CASES: Case[] = [
  {
    file: 'a-support.eml',
    eml: makeEml({ subject: 'Export button does nothing', body: 'Hi, since this morning the export button shows an error. Thanks, Ann' }),
    label: { ...base, language: 'en', intent: 'support', expected_action: 'ticket', acceptable_actions: ['ticket', 'review'] },
  },
  {
    file: 'b-lawyer.eml',
    eml: makeEml({ subject: 'Our client', body: 'We act for Greenleaf Ltd. Unless you answer within 14 days we will commence legal action in court. Helen Whitfield, solicitor' }),
    label: { ...base, language: 'en', intent: 'other', legal: true, expected_action: 'draft', acceptable_actions: ['draft', 'review'] },
  },
  {
    file: 'c-bounce.eml',
    eml: makeEml({
      from: 'Mail Delivery System <MAILER-DAEMON@mx.example>',
      subject: 'Undelivered Mail Returned to Sender',
      body: 'This is the mail system at host mx.example. I am sorry to have to inform you that your message could not be delivered.',
    }),
    label: { ...base, language: 'en', prefilter: 'bounce', intent: 'notification', expected_action: 'ignore', acceptable_actions: ['ignore'] },
  },
];

test('the report: the fooled model tickets support, the detectors and pre-filters hold the rest', async () => {
  const folder = join(dir, 'good');
  mkFolderAt(folder);
  writeFolderAt(folder, CASES);
  const { code, stdout, stderr } = await runCli(['eval', folder, '--fooled', '--json']);
  assert.equal(code, 0, stderr);
  const lines = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(
    lines.filter((l) => l.type === 'email').map((l) => [l.file, l.action]),
    [
      ['a-support.eml', 'ticket'],
      ['b-lawyer.eml', 'draft'],
      ['c-bounce.eml', 'ignore'],
    ],
  );
  const summary = lines.at(-1);
  assert.equal(summary.type, 'summary');
  assert.equal(summary.emails, 3);
  assert.deepEqual(summary.actions.acceptable, { hits: 3, total: 3 });
  assert.deepEqual(summary.safety.flaggedTicketed, []);
  assert.equal(summary.flags.legal.combined.recall, 1);
  assert.equal(summary.flags.legal.model.recall, 0, 'the fooled model never flags');
  assert.equal(summary.prefilters.bounce.recall, 1);

  const human = await runCli(['eval', folder, '--fooled']);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /payment, legal or VIP mail suggested as a ticket: 0/);
  assert.match(human.stdout, /acceptable\s+100\.0% \(3\/3\)/);
});

test('a bad labeled folder is refused with the file and line that is wrong, exit 2', async () => {
  const good = CASES.map((c) => ({ file: c.file, ...c.label }));
  const attempts: Array<[string, string[], Case[], RegExp]> = [
    ['missing field', [JSON.stringify({ ...good[0], intent: undefined }), ...good.slice(1).map((l) => JSON.stringify(l))], CASES, /labels\.jsonl:1 \(a-support\.eml\): intent: missing/],
    [
      'unknown field',
      [JSON.stringify(good[0]), JSON.stringify({ ...good[1], urgency: 'high' }), JSON.stringify(good[2])],
      CASES,
      /labels\.jsonl:2 \(b-lawyer\.eml\): \(the line\): unknown field urgency/,
    ],
    [
      'unknown value',
      [JSON.stringify({ ...good[0], expected_action: 'escalate', acceptable_actions: ['escalate'] }), ...good.slice(1).map((l) => JSON.stringify(l))],
      CASES,
      /labels\.jsonl:1 \(a-support\.eml\): expected_action: /,
    ],
    ['label for a missing file', [...good.map((l) => JSON.stringify(l)), JSON.stringify({ ...good[0], file: 'd-gone.eml' })], CASES, /labels\.jsonl:4: d-gone\.eml is not in/],
    ['email without a label', good.slice(0, 2).map((l) => JSON.stringify(l)), CASES, /c-bounce\.eml: no label in .*labels\.jsonl/],
    ['not JSON', [JSON.stringify(good[0]), '{"file": "b-lawyer.eml",', JSON.stringify(good[2])], CASES, /labels\.jsonl:2: not valid JSON/],
  ];
  for (const [name, labels, cases, message] of attempts) {
    const folder = join(dir, name.replaceAll(' ', '-'));
    mkFolderAt(folder);
    writeFolderAt(folder, cases, labels);
    const { code, stderr } = await runCli(['eval', folder, '--fooled']);
    assert.equal(code, 2, `${name}: ${stderr}`);
    assert.match(stderr, message, name);
    assert.equal(stderr.trim().split('\n').length, 1, `${name}: one line`);
  }
});

function mkFolderAt(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
}

function writeFolderAt(folder: string, cases: Case[], labels: string[] = cases.map((c) => JSON.stringify({ file: c.file, ...c.label }))): void {
  for (const c of cases) writeFileSync(join(folder, c.file), c.eml);
  writeFileSync(join(folder, 'labels.jsonl'), `${labels.join('\n')}\n`);
}
