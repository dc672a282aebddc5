/**
 * A property-based probe of the HTTP API (issue 17): whatever path, query, body and headers a
 * client sends, the answer is never a 5xx and never shows a stack trace or a file path. Bounded in
 * runs; FC_SEED=<n> replays a failure fast-check reported.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import { createApiServer } from '../../src/api/create-server.js';
import { configSchema } from '../../src/config/index.js';
import { createSecretBox } from '../../src/db/secret-box.js';
import { silentLogger } from '../../src/util/logger.js';
import { createMetrics } from '../../src/util/metrics.js';
import { describeEachDatabase, truncateAll } from '../support/databases.js';
import { LINK_SECRET, readyReport, SECRET_KEY, seedDelivery, seedEmail, TOKEN } from './fixtures.js';

const RUNS = Number(process.env.FC_RUNS ?? 150);

const ROUTES: Array<[string, string]> = [
  ['GET', '/health'],
  ['GET', '/ready'],
  ['GET', '/metrics'],
  ['GET', '/openapi.json'],
  ['GET', '/v1/decisions'],
  ['GET', '/v1/emails/{id}'],
  ['GET', '/v1/emails/{id}/raw'],
  ['GET', '/v1/subscriptions'],
  ['POST', '/v1/subscriptions'],
  ['GET', '/v1/subscriptions/{id}'],
  ['DELETE', '/v1/subscriptions/{id}'],
  ['POST', '/v1/subscriptions/{id}/enable'],
  ['POST', '/v1/subscriptions/{id}/disable'],
  ['POST', '/v1/subscriptions/{id}/rotate-secret'],
  ['POST', '/v1/subscriptions/{id}/test'],
  ['GET', '/v1/deliveries'],
  ['GET', '/v1/deliveries/{id}'],
  ['POST', '/v1/deliveries/{id}/replay'],
];
const KNOWN_IDS = ['em_PROP1', 'sub_TEST', 'dlv_PROP1'];
const QUERY_KEYS = ['since', 'cursor', 'limit', 'action', 'mailbox', 'status', 'subscription_id', 'token', 'x'];

/** Hostile text: control and NUL characters, percent escapes, huge numbers, dates that do not exist. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '%00',
    '%',
    '%zz',
    '%E0%A4%A',
    '..',
    '../../etc/passwd',
    '\u0000',
    '\u001b[2J',
    '100000000d',
    '1e309',
    '-1',
    '0',
    '9223372036854775808',
    '2026-02-30',
    '2026-13-45T99:99Z',
    'NaN',
    '{}',
    '[]',
    'null',
  ),
  fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
  fc.date({ noInvalidDate: false }).map((d) => (Number.isNaN(d.getTime()) ? 'Invalid Date' : d.toISOString())),
  fc.base64String({ maxLength: 80 }),
);
/** Either a raw (possibly invalid) path segment or a properly encoded one. */
const segment = fc.oneof(fc.constantFrom(...KNOWN_IDS), nasty.map(encodeURIComponent), fc.constantFrom('%00', '%', '%2F', '%ff', 'a%00b', '..'));
const query = fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 8 })), fc.oneof(nasty, fc.constant('1d')), { maxKeys: 4 });
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.record({ url: fc.oneof(nasty, fc.webUrl()), description: nasty }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  nasty,
);
const request = fc.record({
  route: fc.oneof(
    fc.constantFrom(...ROUTES),
    fc.tuple(
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
      fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join('/')}`),
    ),
  ),
  id: segment,
  query,
  body,
  contentType: fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
  authorization: fc.oneof(
    fc.constant(`Bearer ${TOKEN}`),
    fc.constant(undefined),
    nasty.map((t) => `Bearer ${t}`),
  ),
});

const STACK = /\n\s+at |node_modules|\.ts:\d+|\.js:\d+|"stack"/;

describeEachDatabase('HTTP API: property-based probe', (getDb) => {
  before(async () => {
    await truncateAll(getDb());
    await seedEmail(getDb(), { id: 'em_PROP1', action: 'ticket' });
    await seedDelivery(getDb(), { id: 'dlv_PROP1', emailId: 'em_PROP1', status: 'failed' });
  });

  test(`no generated request gets a 5xx or a stack trace (${RUNS} runs)`, { timeout: 300_000 }, async () => {
    // No network: private addresses refused and every name "resolves" to loopback, so a generated
    // subscription or ping is refused before any connection.
    const config = configSchema.parse({
      api: { tokens: [TOKEN], link_secret: LINK_SECRET, public_url: 'https://mailroom.example.com/' },
      webhooks: { allow_http: false, allow_private_networks: false, secret_key: SECRET_KEY, timeout: '1s' },
    });
    const app = createApiServer({
      db: getDb(),
      config,
      logger: silentLogger(),
      readiness: () => readyReport,
      metrics: createMetrics({ defaultMetrics: false }),
      secretBox: createSecretBox(SECRET_KEY, 'test'),
      resolveHost: async () => [{ address: '127.0.0.1', family: 4 }],
    });
    try {
      await fc.assert(
        fc.asyncProperty(request, async (r) => {
          const [method, template] = r.route;
          const path = template.replace('{id}', r.id);
          const search = new URLSearchParams(r.query).toString();
          const headers: Record<string, string> = {};
          if (r.authorization) headers.authorization = r.authorization;
          if (r.contentType && r.body !== undefined) headers['content-type'] = r.contentType;
          const res = await app.inject({
            method: method as 'GET',
            url: `${path}${search ? `?${search}` : ''}`,
            headers,
            ...(r.body !== undefined && method !== 'GET' && method !== 'HEAD' ? { payload: r.body } : {}),
          });
          assert.ok(res.statusCode < 500, `${method} ${path}?${search} → ${res.statusCode}: ${res.body.slice(0, 300)}`);
          assert.doesNotMatch(res.body, STACK, `${method} ${path}?${search} leaked internals: ${res.body.slice(0, 300)}`);
        }),
        { numRuns: RUNS, ...(process.env.FC_SEED ? { seed: Number(process.env.FC_SEED) } : {}) },
      );
    } finally {
      await app.close();
    }
  });
});
