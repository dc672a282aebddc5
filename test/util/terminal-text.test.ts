import assert from 'node:assert/strict';
import { test } from 'node:test';
import { visible, visibleLines } from '../../src/util/terminal-text.js';

test('escape sequences, CR/LF and bidi overrides become visible text', () => {
  assert.equal(visible('a\u001b[2J\u001b]0;pwned\u0007b'), 'a\\u001b[2J\\u001b]0;pwned\\u0007b');
  assert.equal(visible('Maria\r\nBcc: x@evil'), 'Maria\\r\\nBcc: x@evil');
  assert.equal(visible('x\u009b31my\u202eevil'), 'x\\u009b31my\\u202eevil');
  assert.equal(visible('Grüße, 日本 — ok'), 'Grüße, 日本 — ok', 'ordinary text is untouched');
  assert.equal(visibleLines('line 1\n\tline 2\u001b[8m\r'), 'line 1\n\tline 2\\u001b[8m\\r');
  assert.equal(visible(visible('\u001b')), visible('\u001b'), 'idempotent');
});
