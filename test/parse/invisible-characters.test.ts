import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countInvisibleCharacters, removeInvisibleCharacters } from '../../src/parse/normalize-text.js';

test('zero-width characters inside a word are removed so the word reads whole', () => {
  assert.equal(removeInvisibleCharacters('refu\u200Bnd'), 'refund');
  assert.equal(removeInvisibleCharacters('charge\u200Cback'), 'chargeback');
  assert.equal(removeInvisibleCharacters('Rück\u200Dbuchung'), 'Rückbuchung');
  assert.equal(removeInvisibleCharacters('avv\u2060ocato'), 'avvocato');
  assert.equal(removeInvisibleCharacters('\uFEFFabo\u00ADgado'), 'abogado');
});

test('every bidi control and invisible operator in the list is removed', () => {
  const controls = [
    ...Array.from({ length: 5 }, (_, i) => 0x200b + i),
    ...Array.from({ length: 5 }, (_, i) => 0x202a + i),
    ...Array.from({ length: 5 }, (_, i) => 0x2060 + i),
    ...Array.from({ length: 4 }, (_, i) => 0x2066 + i),
    0xfeff,
    0x00ad,
  ].map((code) => String.fromCharCode(code));
  const text = `a${controls.join('')}b`;
  assert.equal(countInvisibleCharacters(text), controls.length);
  assert.equal(removeInvisibleCharacters(text), 'ab');
});

test('ordinary text, accents and emoji are untouched', () => {
  const text = 'Grüße, ¿qué tal? 😀 — ça va';
  assert.equal(removeInvisibleCharacters(text), text);
});
