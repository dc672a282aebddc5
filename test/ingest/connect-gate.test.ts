import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectGate, connectThroughGate, GateClosedError, isLoginRefusal, type LoginSlot } from '../../src/ingest/connect-gate.js';

const SERVER = '127.0.0.1:143';

/** Requests `n` slots; returns those granted so far and the pending promises. */
function request(gate: ConnectGate, n: number, server = SERVER, signal?: AbortSignal) {
  const granted: LoginSlot[] = [];
  const pending = Array.from({ length: n }, () => gate.acquire(server, signal).then((slot) => slot && granted.push(slot) && slot));
  return { granted, pending };
}

const tick = () => new Promise((r) => setImmediate(r));

test('at most `concurrency` logins in flight, the rest in arrival order', async () => {
  const gate = new ConnectGate({ concurrency: 3, backoffMinMs: 1000, backoffMaxMs: 60_000 });
  const { granted } = request(gate, 10);
  await tick();
  assert.equal(granted.length, 3);
  assert.deepEqual({ inFlight: gate.status().inFlight, queued: gate.status().queued }, { inFlight: 3, queued: 7 });
  granted[0]!.succeeded();
  granted[1]!.done();
  granted[1]!.done(); // a second end of the same slot changes nothing
  await tick();
  assert.equal(granted.length, 5);
  assert.equal(gate.status().inFlight, 3);
  gate.close();
});

test('a refusal backs the whole server off, then one probe; its success lets the rest through', async () => {
  let now = 1_000_000;
  const gate = new ConnectGate({ concurrency: 4, backoffMinMs: 50, backoffMaxMs: 60_000, now: () => now, random: () => 0.5 });
  const { granted } = request(gate, 12);
  await tick();
  assert.equal(granted.length, 4);
  // Logins in flight together fail together: one backoff step for the lot, not four.
  for (const slot of granted.slice(0, 4)) slot.refused('Connection queue full');
  await tick();
  const server = gate.status().servers[0]!;
  assert.equal(server.refusals, 1);
  assert.equal(server.backoffMs, 50);
  assert.equal(server.lastRefusal, 'Connection queue full');
  assert.equal(granted.length, 4, 'nobody logs in while the server backs off');
  // Another server is not held back by this one.
  const other = request(gate, 1, '127.0.0.2:143');
  await tick();
  assert.equal(other.granted.length, 1);
  other.granted[0]!.succeeded();

  now += 50;
  await new Promise((r) => setTimeout(r, 80)); // the gate's own timer ends the backoff
  await tick();
  assert.equal(granted.length, 5, 'one probe after the backoff');
  granted[4]!.refused('connection refused');
  await tick();
  assert.equal(gate.status().servers[0]!.refusals, 2);
  assert.equal(gate.status().servers[0]!.backoffMs, 100, 'the backoff doubles');
  now += 100;
  await new Promise((r) => setTimeout(r, 150));
  await tick();
  assert.equal(granted.length, 6, 'again one probe');
  granted[5]!.succeeded();
  await tick();
  assert.equal(granted.length, 10, 'a success opens all slots again');
  assert.equal(gate.status().servers[0]!.refusals, 0);
  gate.close();
});

test('a waiter that gives up leaves the queue', async () => {
  const gate = new ConnectGate({ concurrency: 1, backoffMinMs: 1000, backoffMaxMs: 60_000 });
  const first = request(gate, 1);
  const controller = new AbortController();
  const second = gate.acquire(SERVER, controller.signal);
  controller.abort();
  assert.equal(await second, null);
  assert.equal(gate.status().queued, 0);
  await tick();
  first.granted[0]!.done();
  gate.close();
});

test('refused or dropped logins, as opposed to a mailbox problem', () => {
  const refusals = [
    { code: 'ECONNREFUSED' },
    { code: 'ECONNRESET' },
    { code: 'NoConnection', message: 'Connection not available' },
    { code: 'GREETING_TIMEOUT' },
    { message: 'Unexpected close' },
    { serverResponseCode: 'UNAVAILABLE', responseText: 'Maximum number of connections from user+IP exceeded' },
    { serverResponseCode: 'LIMIT', authenticationFailed: true },
    { responseText: 'Connection queue full' },
  ];
  for (const error of refusals) assert.equal(isLoginRefusal(error), true, JSON.stringify(error));
  const mailboxProblems = [
    { serverResponseCode: 'AUTHENTICATIONFAILED', authenticationFailed: true, responseText: 'Authentication failed.' },
    { serverResponseCode: 'NONEXISTENT', responseText: 'Mailbox does not exist' },
    { message: 'self-signed certificate', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
  ];
  for (const error of mailboxProblems) assert.equal(isLoginRefusal(error), false, JSON.stringify(error));
});

test('a watcher login (urgent) goes ahead of queued draft and keyword logins, after earlier watchers', async () => {
  const gate = new ConnectGate({ concurrency: 1, backoffMinMs: 1000, backoffMaxMs: 60_000 });
  const order: string[] = [];
  const slots = new Map<string, LoginSlot>();
  const ask = (name: string, urgent: boolean) =>
    gate.acquire(SERVER, undefined, { urgent }).then((slot) => {
      order.push(name);
      if (slot) slots.set(name, slot);
    });
  await ask('running', false);
  void ask('draft', false);
  void ask('watcher-1', true);
  void ask('keyword', false);
  void ask('watcher-2', true);
  await tick();
  assert.deepEqual(order, ['running']);
  // Each login ends, and the next in line gets the one slot.
  for (let i = 0; i < 4; i++) {
    slots.get(order.at(-1)!)!.succeeded();
    await tick();
  }
  assert.deepEqual(order, ['running', 'watcher-1', 'watcher-2', 'draft', 'keyword']);
  gate.close();
});

test('connectThroughGate: a refused login backs the server off for every session; a closed gate refuses to connect', async () => {
  let now = 1_000_000;
  const gate = new ConnectGate({ concurrency: 2, backoffMinMs: 1000, backoffMaxMs: 60_000, now: () => now, random: () => 0.5 });
  const refused = Object.assign(new Error('Connection queue full'), { code: 'NoConnection' });
  await assert.rejects(connectThroughGate(gate, SERVER, { connect: () => Promise.reject(refused) }), /queue full/);
  const status = gate.status().servers[0]!;
  assert.equal(status.refusals, 1);
  assert.ok((status.backoffMs ?? 0) > 0, 'the server backs off');
  let connected = 0;
  const waiting = connectThroughGate(gate, SERVER, {
    connect: async () => {
      connected += 1;
    },
  });
  await tick();
  assert.equal(connected, 0, 'no login while the server backs off');
  now += 60_000;
  gate.close();
  await assert.rejects(waiting, GateClosedError);
  assert.equal(connected, 0);
});
