import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeEml } from '../support/make-eml.js';
import { runCli } from '../support/run-cli.js';

// Security (issue 17, finding 2): a typo in a variable name must not run on another database.
let folder: string;
let config: string;
let eml: string;
before(() => {
  folder = mkdtempSync(join(tmpdir(), 'mailroom-env-'));
  config = join(folder, 'mailroom.yaml');
  eml = join(folder, 'one.eml');
  writeFileSync(eml, makeEml({ messageId: '<env-typo@example.com>' }));
  writeFileSync(config, `database:\n  url: \${DATABSE_URL}\n  path: ${join(folder, 'db')}\nclassifier:\n  provider: rules\n`);
});
after(() => rmSync(folder, { recursive: true, force: true }));

const COMMANDS: string[][] = [
  ['run'],
  ['migrate'],
  ['triage', '--dry-run', 'EML'],
  ['decisions', 'list'],
  ['subscriptions', 'list'],
  ['deliveries', 'list'],
  ['doctor'],
  ['eval', 'eval/dev'],
  ['model', 'status'],
];

test('an unset ${VAR} stops every command with exit 2, naming the variable and the key', async () => {
  const env = { DATABASE_URL: 'postgres://127.0.0.1:1/x' };
  // Two at a time: the machine is shared.
  for (let i = 0; i < COMMANDS.length; i += 2) {
    const batch = COMMANDS.slice(i, i + 2);
    const results = await Promise.all(batch.map((args) => runCli(['--config', config, ...args.map((a) => (a === 'EML' ? eml : a))], { env, timeoutMs: 60_000 })));
    results.forEach((result, j) => {
      const name = batch[j]!.join(' ');
      assert.equal(result.code, 2, `${name}: ${result.stderr}`);
      assert.match(result.stdout + result.stderr, /DATABSE_URL.*database\.url/, name);
    });
  }
  assert.deepEqual(
    readdirSync(folder).filter((f) => f === 'db'),
    [],
    'no command touched the embedded database',
  );
});
