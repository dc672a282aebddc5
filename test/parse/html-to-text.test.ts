import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htmlToReadableText } from '../../src/parse/body-text.js';

test('links keep their address as text: "label (url)", bare URLs once', () => {
  const text = htmlToReadableText(
    '<p>Reset it <a href="https://app.example.com/reset">here</a> or visit <a href="https://example.com">https://example.com</a>, mail <a href="mailto:help@example.com">help@example.com</a>.</p>',
  );
  assert.equal(text, 'Reset it here (https://app.example.com/reset) or visit https://example.com, mail help@example.com.');
});

test('script, style, head and title are dropped', () => {
  const text = htmlToReadableText(
    '<html><head><title>Newsletter title</title><style>p { color: red }</style><script>alert("x")</script></head><body><p>Body text</p><script>track()</script></body></html>',
  );
  assert.equal(text, 'Body text');
});

test('tables read as one line per row with cells apart', () => {
  const text = htmlToReadableText('<table><tr><th>Order</th><th>Status</th></tr><tr><td>#4411</td><td>Shipped</td></tr><tr><td>#4412</td><td>Refund requested</td></tr></table>');
  assert.deepEqual(
    text.split('\n').map((line) => line.trim()),
    ['Order Status', '#4411 Shipped', '#4412 Refund requested'],
  );
});

test('images show their alt text only, blockquotes become > lines, headings keep their case', () => {
  const text = htmlToReadableText(
    '<h1>Your Invoice</h1><img src="data:image/png;base64,AAAA" alt="ACME logo"><img src="https://t.example/pixel.gif"><blockquote>old line one<br>old line two</blockquote>',
  );
  assert.match(text, /^Your Invoice/);
  assert.match(text, /ACME logo/);
  assert.doesNotMatch(text, /base64|pixel\.gif/);
  assert.match(text, /> old line one\n> old line two/);
});

test('zero-width characters survive conversion as characters, not as word breaks', () => {
  assert.equal(htmlToReadableText('<p>refu&#8203;nd</p>'), 'refu\u200Bnd');
});

test('text outside <body> is kept, as mail clients show it', () => {
  const text = htmlToReadableText('<html><body><p>Inside</p></body></html><p>List footer after the document</p>');
  assert.match(text, /Inside/);
  assert.match(text, /List footer after the document/);
});
