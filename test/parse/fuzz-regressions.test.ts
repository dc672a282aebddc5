import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MalformedEmailError } from '../../src/parse/index.js';
import { normalizeText, trimTrailingBlanks } from '../../src/parse/normalize-text.js';
import { parseDeadlineMs, parseEmail } from '../../src/parse/parse-email.js';

test('a body-less inline message/rfc822 part (mailparser never settles) ends as MalformedEmailError', async () => {
  const raw = Buffer.from('Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: message/rfc822\r\nContent-Disposition: inline');
  await assert.rejects(parseEmail(raw), (error: unknown) => {
    assert.ok(error instanceof MalformedEmailError);
    assert.match(error.message, /MIME parser did not finish/);
    // Only a parse that ran out of time is tried again by the decision stage.
    assert.equal(error.reason, 'timeout');
    return true;
  });
});

test('the parse deadline grows with the message size', () => {
  assert.equal(parseDeadlineMs(110), 5001);
  assert.ok(parseDeadlineMs(25 * 1024 * 1024) > 25_000);
});

test('trailing blanks go, blanks before text stay, also on very long runs', () => {
  assert.equal(trimTrailingBlanks('a \t '), 'a');
  assert.equal(trimTrailingBlanks('   '), '');
  assert.equal(trimTrailingBlanks('a'), 'a');
  const long = `${' '.repeat(200_000)}x`;
  assert.equal(normalizeText(`${long}\nnext  \n`), `${long}\nnext`);
});
