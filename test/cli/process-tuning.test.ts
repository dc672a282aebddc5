import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commandOf } from '../../src/cli/process-tuning.js';

test('only `mailroom run` starts again with the memory settings: the command is found past --config', () => {
  assert.equal(commandOf(['run']), 'run');
  assert.equal(commandOf(['--config', 'run.yaml', 'run']), 'run');
  assert.equal(commandOf(['-c', 'mailroom.yaml', 'triage', 'run']), 'triage', 'a file named run is no command');
  assert.equal(commandOf(['--help']), undefined);
});
