import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fairShare, planShare } from '../../src/ingest/fair-share.js';
import type { LeaseRow } from '../../src/ingest/lease.js';

const names = (n: number, prefix = 'm') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const rows = (holders: Array<string | null>, expiresInMs = 10_000): LeaseRow[] => holders.map((holder, i) => ({ mailbox: `m${i}`, holder, expiresInMs: holder ? expiresInMs : null }));

test('each live process aims at ceil(mailboxes ÷ processes)', () => {
  assert.equal(fairShare(300, 1), 300);
  assert.equal(fairShare(300, 2), 150);
  assert.equal(fairShare(300, 3), 100);
  assert.equal(fairShare(200, 3), 67);
  assert.equal(fairShare(5, 0), 5);
  // The targets add up to every mailbox: a free one always has a taker.
  for (let live = 1; live <= 7; live++) assert.ok(fairShare(100, live) * live >= 100);
});

test('a process above its share gives the surplus, cheapest first; one below takes only free or expired leases', () => {
  const mine = names(150);
  const all = rows([...Array(150).fill('a'), ...Array(150).fill('b')]);
  const giving = planShare({ mine, leases: all, live: 3, deadHolders: new Set() });
  assert.equal(giving.target, 100);
  assert.deepEqual(giving.give, mine.slice(0, 50));
  assert.deepEqual(giving.take, []);

  // The newcomer: everything is held by live processes, so there is nothing to take yet.
  assert.deepEqual(planShare({ mine: [], leases: all, live: 3, deadHolders: new Set() }).take, []);
  // Once they handed over, it takes up to its share and no more.
  const handedOver = rows([...Array(100).fill('a'), ...Array(50).fill(null), ...Array(100).fill('b'), ...Array(50).fill(null)]);
  const taking = planShare({ mine: [], leases: handedOver, live: 3, deadHolders: new Set(), random: () => 0 });
  assert.equal(taking.take.length, 100);
  assert.ok(taking.take.every((m) => handedOver.find((r) => r.mailbox === m)!.holder === null));
});

test('expired leases and dead holders count as free; a live holder never does', () => {
  const leases = [...rows(['c', 'c'], -5), ...rows(['d']).map((r) => ({ ...r, mailbox: 'm2' })), ...rows(['e']).map((r) => ({ ...r, mailbox: 'm3' }))];
  const plan = planShare({ mine: [], leases, live: 1, deadHolders: new Set(['d']) });
  assert.deepEqual(new Set(plan.take), new Set(['m0', 'm1', 'm2']));
});
