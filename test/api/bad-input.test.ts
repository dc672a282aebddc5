import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { parseSince } from '../../src/config/index.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { auth, seedEmail, testServer } from './fixtures.js';

// Security (issue 17, finding 4): input the routes' checks let through reached the database as a 500.

const now = new Date('2026-11-23T12:00:00Z');
const cursor = (time: string, id: string) => Buffer.from(JSON.stringify([time, id]), 'utf8').toString('base64url');

test('since: impossible dates are refused, not rolled over', () => {
  for (const value of ['2026-02-30', '2026-02-29', '2026-13-01', '2026-04-31', '2026-11-01T24:00Z', '2026-11-01T10:60Z', '2026-11-01T10:00+25:00', '100000000d', '99999999999w', '0001-01-01']) {
    assert.equal(parseSince(value, now), null, value);
  }
  assert.equal(parseSince('2028-02-29', now)?.toISOString(), '2028-02-29T00:00:00.000Z');
  assert.equal(parseSince('2026-11-01T10:00:00.5+02:00', now)?.toISOString(), '2026-11-01T08:00:00.500Z');
  assert.equal(parseSince('2026-11-01T10:00', now)?.toISOString(), '2026-11-01T10:00:00.000Z', 'no zone means UTC');
  assert.equal(parseSince('1d', now)?.toISOString(), '2026-11-22T12:00:00.000Z');
});

describeEachDatabase('HTTP API: bad input is a 4xx with a clear message, never a 500', (getDb) => {
  beforeEach(async () => {
    await truncateAll(getDb());
  });

  const cases: Array<[string, string, RegExp]> = [
    ['GET', '/v1/emails/%00', /NUL character/],
    ['GET', '/v1/emails/em_1%00x/raw', /NUL character/],
    ['GET', '/v1/decisions?mailbox=a%00b', /query\.mailbox contains a NUL character/],
    ['GET', '/v1/deliveries?subscription_id=s%00', /NUL character/],
    ['POST', '/v1/deliveries/x%00/replay', /NUL character/],
    ['GET', '/v1/subscriptions/sub%00', /NUL character/],
    ['GET', '/v1/decisions?since=100000000d', /since: expected/],
    ['GET', '/v1/deliveries?since=100000000d', /since: expected/],
    ['GET', '/v1/decisions?since=2026-02-30', /since: expected/],
    ['GET', '/v1/deliveries?since=2026-02-30T10:00:00Z', /since: expected/],
    ['GET', `/v1/decisions?cursor=${cursor('2026-11-01T10:00:00.000000Z', '99999999999999999999')}`, /cursor/],
    ['GET', `/v1/decisions?cursor=${cursor('2026-11-01T10:00:00.000000Z', '9223372036854775808')}`, /cursor/],
    ['GET', `/v1/decisions?cursor=${cursor('2026-13-45T99:99:99.000000Z', '1')}`, /cursor/],
    ['GET', `/v1/decisions?cursor=${cursor('2026-02-30T10:00:00.000000Z', '1')}`, /cursor/],
  ];
  for (const [method, url, message] of cases) {
    test(`${method} ${url.slice(0, 70)}`, async () => {
      const { app } = testServer(getDb());
      await seedEmail(getDb(), { id: 'em_bad_input', action: 'ticket' });
      const res = await app.inject({ method: method as 'GET' | 'POST', url, headers: auth() });
      assert.ok(res.statusCode === 400 || res.statusCode === 404, `${res.statusCode} ${res.body}`);
      assert.match(res.json().message, message);
    });
  }

  test('a NUL character in a JSON body is a 400', async () => {
    const { app } = testServer(getDb());
    const res = await app.inject({ method: 'POST', url: '/v1/subscriptions', headers: auth(), payload: { url: 'https://hooks.example.com/\u0000', description: 'x' } });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(res.json().message, /body\.url contains a NUL character/);
  });

  test('the largest cursor id and a valid cursor still work', async () => {
    const { app } = testServer(getDb());
    const res = await app.inject({ url: `/v1/decisions?cursor=${cursor('2026-11-01T10:00:00.000000Z', '9223372036854775807')}`, headers: auth() });
    assert.equal(res.statusCode, 200, res.body);
  });
});
