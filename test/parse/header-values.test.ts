import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHeaderMap, decodeEncodedWords, headerLineValue } from '../../src/parse/headers.js';

test('encoded words: Q and B, several charsets, adjacent words joined', () => {
  assert.equal(decodeEncodedWords('=?utf-8?Q?R=C3=BCckbuchung_bitte?='), 'Rückbuchung bitte');
  assert.equal(decodeEncodedWords('=?UTF-8?B?w4dhIHZh?='), 'Ça va');
  assert.equal(decodeEncodedWords('=?iso-8859-1?q?rimborso_gi=E0?= subito'), 'rimborso già subito');
  assert.equal(decodeEncodedWords('=?utf-8?Q?a?= =?utf-8?Q?b?='), 'ab');
  assert.equal(decodeEncodedWords('=?x-unknown?Q?plain?='), 'plain');
  assert.equal(decodeEncodedWords('no encoding here'), 'no encoding here');
});

test('header lines are unfolded and named in lower case; junk lines are skipped', () => {
  assert.equal(headerLineValue('Subject: a long\r\n  folded subject'), 'a long folded subject');
  const map = buildHeaderMap([
    { key: '', line: 'From someone Mon Mar 4 2024' },
    { key: 'list-id', line: 'List-Id: Support <support.example.com>' },
    { key: 'received', line: 'Received: one' },
    { key: 'received', line: 'Received: two' },
    { key: 'auto-submitted', line: 'Auto-Submitted: auto-replied' },
  ]);
  assert.deepEqual(map, {
    'list-id': 'Support <support.example.com>',
    received: 'one\ntwo',
    'auto-submitted': 'auto-replied',
  });
});
