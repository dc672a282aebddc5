import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandOf, heapGrowthFlag } from '../../src/cli/process-tuning.js';

test('only `mailroom run` starts again with the memory settings: the command is found past --config', () => {
  assert.equal(commandOf(['run']), 'run');
  assert.equal(commandOf(['--config', 'run.yaml', 'run']), 'run');
  assert.equal(commandOf(['-c', 'mailroom.yaml', 'triage', 'run']), 'triage', 'a file named run is no command');
  assert.equal(commandOf(['--help']), undefined);
});

test("`mailroom run` bounds its heap's growth, unless the user set a growth of their own", () => {
  assert.equal(heapGrowthFlag('', []), '--heap-growing-percent=50');
  assert.equal(heapGrowthFlag('--max-semi-space-size=4', ['--enable-source-maps']), '--heap-growing-percent=50');
  assert.equal(heapGrowthFlag('', ['--heap-growing-percent=100']), null);
});
