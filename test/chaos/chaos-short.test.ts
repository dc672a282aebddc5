/**
 * The chaos run of `npm run chaos`, short: 60 messages, 2 SIGKILLs of `mailroom run`, one Dovecot
 * restart, 20 % model faults, 30 % receiver faults — then every check of chaos/chaos-checks.ts
 * must pass. Needs Dovecot and PostgreSQL (skipped with a line without them, a failure in CI).
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderChaosTable, runChaos } from '../../chaos/run-chaos.js';
import { PG_ADMIN_URL, postgresUnavailable } from '../support/databases.js';
import { dovecotSkip } from '../support/dovecot.js';

const pgReason = await postgresUnavailable();
const skip = dovecotSkip() || (pgReason ? `PostgreSQL at ${PG_ADMIN_URL} not reachable (${pgReason}); skipped` : false);

test('chaos, short: SIGKILLs, a Dovecot restart, model and receiver faults lose nothing and duplicate nothing', { skip, timeout: 240_000 }, async () => {
  const result = await runChaos({ messages: 60, kills: 2, seed: 7, maxUptimeMs: 4000, settleTimeoutMs: 150_000 });
  const table = renderChaosTable(result);
  for (const line of table.split('\n')) console.log(`# ${line}`);
  assert.deepEqual(
    result.rows.filter((r) => !r.ok).map((r) => `${r.check}: ${r.detail}`),
    [],
    `chaos checks failed (seed ${result.seed}${result.logDir ? `, logs in ${result.logDir}` : ''})`,
  );
});
