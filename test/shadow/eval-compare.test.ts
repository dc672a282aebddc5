/**
 * `mailroom eval --compare A B DIR` on a small labeled folder written here, each side a YAML file
 * naming its own fake OpenAI server: both summaries, the flip and the flag B gained, in text and
 * --json; bad usage exits 2 with the reason.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { type ChatRequestBody, type FakeOpenAIServer, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';
import { runCli } from '../support/run-cli.js';

const answer = (over: Record<string, unknown>) => ({
  intent: 'support',
  category: 'bug',
  priority: 'normal',
  summary: 'A customer reports a problem.',
  language: 'en',
  flags: { payment: false, legal: false },
  sentiment: 'neutral',
  team: null,
  confidence: 0.95,
  ...over,
});
const textOf = (body: ChatRequestBody) => JSON.stringify(body.messages).toLowerCase();

let dir: string;
let folder: string;
let serverA: FakeOpenAIServer;
let serverB: FakeOpenAIServer;
let configA: string;
let configB: string;
before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mailroom-compare-'));
  folder = join(dir, 'labeled');
  mkdirSync(folder);
  const base = { prefilter: null, payment: false, legal: false, vip: false, injection: false, note: 'written for this test', language: 'en' };
  const cases = [
    {
      file: 'a-support.eml',
      eml: makeEml({ subject: 'Export button does nothing', body: 'Hi, since this morning the export button shows an error. Thanks, Ann' }),
      label: { ...base, intent: 'support', expected_action: 'ticket', acceptable_actions: ['ticket', 'review'] },
    },
    {
      file: 'b-login.eml',
      eml: makeEml({ subject: 'Cannot log in', body: 'Hello, the login page says my password is wrong although I just reset it. Regards, Bo' }),
      label: { ...base, intent: 'support', expected_action: 'ticket', acceptable_actions: ['ticket', 'review'] },
    },
    {
      file: 'c-bounce.eml',
      eml: makeEml({
        from: 'Mail Delivery System <MAILER-DAEMON@mx.example>',
        subject: 'Undelivered Mail Returned to Sender',
        body: 'This is the mail system at host mx.example. I am sorry to have to inform you that your message could not be delivered.',
      }),
      label: { ...base, prefilter: 'bounce', intent: 'notification', expected_action: 'ignore', acceptable_actions: ['ignore'] },
    },
  ];
  for (const c of cases) writeFileSync(join(folder, c.file), c.eml);
  writeFileSync(join(folder, 'labels.jsonl'), `${cases.map((c) => JSON.stringify({ file: c.file, ...c.label })).join('\n')}\n`);
  // A: support for everything. B: the same, but it sees a legal matter in the export email.
  serverA = await startFakeOpenAIServer({ logprobs: false, responder: () => answer({}) });
  serverB = await startFakeOpenAIServer({ logprobs: false, responder: (body) => (textOf(body).includes('export button') ? answer({ flags: { payment: false, legal: true } }) : answer({})) });
  const side = (server: FakeOpenAIServer, model: string) =>
    stringify({ classifier: { provider: 'openai', base_url: server.url, api_key: 'sk-compare-test', model, max_retries: 0, timeout: '10s', examples: 0 } });
  configA = join(dir, 'model-a.yaml');
  configB = join(dir, 'model-b.yaml');
  writeFileSync(configA, side(serverA, 'model-a'));
  writeFileSync(configB, side(serverB, 'model-b'));
});
after(async () => {
  await serverA?.close();
  await serverB?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('two classifiers side by side: the flip, the flag gained, the labels', { timeout: 180_000 }, async () => {
  const json = await runCli(['eval', '--compare', configA, configB, folder, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout.trim());
  assert.equal(out.type, 'compare');
  assert.match(out.a.name, /^model-a\.yaml: openai \(model-a\)/);
  assert.match(out.b.name, /^model-b\.yaml: openai \(model-b\)/);
  assert.deepEqual(out.a.summary.actions.acceptable, { hits: 3, total: 3 });
  assert.deepEqual(out.b.summary.actions.acceptable, { hits: 2, total: 3 });
  assert.equal(out.comparison.compared, 3);
  assert.deepEqual(out.comparison.sameAction, { hits: 2, total: 3 });
  assert.equal(out.comparison.flips.length, 1);
  assert.equal(out.comparison.flips[0].from, 'ticket');
  assert.deepEqual(out.comparison.flips[0].ids, ['a-support.eml']);
  assert.deepEqual(out.comparison.flags.legal, { gained: 1, lost: 0, gainedIds: ['a-support.eml'], lostIds: [] });
  assert.deepEqual(out.comparison.flags.payment, { gained: 0, lost: 0, gainedIds: [], lostIds: [] });
  assert.deepEqual(out.acceptable, { better: [], worse: ['a-support.eml'] });
  // Two classified emails a side: the bounce never reaches a model.
  assert.equal(serverA.requests.length, 2);
  assert.equal(serverB.requests.length, 2);
  assert.equal(out.comparison.tokens.b.emails, 3);

  // The folder may also come first; the text report names both sides and the flip.
  const human = await runCli(['eval', folder, '--compare', configA, configB]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /A = model-a\.yaml: openai \(model-a\)/);
  assert.match(human.stdout, /action acceptable\s+100\.0% \(3\/3\)\s+66\.7% \(2\/3\)/);
  assert.match(human.stdout, /Action acceptable for A and not B: 1 \(a-support\.eml\)/);
  assert.match(human.stdout, /ticket → \w+\s+1\s+e\.g\. a-support\.eml/);
  assert.match(human.stdout, /legal\s+gained\s+1\s+lost\s+0\s+\+a-support\.eml/);
});

test('bad usage of --compare exits 2 with the reason', { timeout: 180_000 }, async () => {
  const cases: Array<[string[], RegExp]> = [
    [['eval', folder, '--compare', configA], /--compare: expected two classifiers/],
    [['eval', '--compare', 'rules', 'gpt-9', folder], /--compare: "gpt-9" is neither a classifier \(auto, openai, local, rules, shadow\) nor a YAML file/],
    [['eval', folder, '--compare', 'rules', 'shadow'], /--compare shadow: the configuration has no classifier\.shadow/],
    [['eval', folder, '--compare', 'rules', join(dir, 'missing.yaml')], /cannot read config file .*missing\.yaml: no such file/],
    [['eval', folder, '--compare', 'rules', 'local', '--fooled'], /--compare names both classifiers itself/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runCli(args);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, message);
  }
});
