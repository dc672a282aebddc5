/**
 * `npm run chaos`: 500 messages through `mailroom run` on PostgreSQL while it is SIGKILLed 5 times,
 * Dovecot restarts once, the model fails 20 % of requests and the receiver 30 %. Prints a
 * pass/fail table; exits 1 when any check fails, 2 when it cannot run here.
 *
 *   npm run chaos -- [--messages 500] [--kills 5] [--seed 9] [--llm-failure 0.2]
 *     [--receiver-failure 0.3] [--no-dovecot-restart] [--keep-logs]
 */
import { parseArgs } from 'node:util';
import { PG_ADMIN_URL, postgresUnavailable } from '../test/support/databases.js';
import { dovecotUnavailable } from '../test/support/dovecot.js';
import { renderChaosTable, runChaos } from './run-chaos.js';

const { values: flags } = parseArgs({
  options: {
    messages: { type: 'string', default: '500' },
    kills: { type: 'string', default: '5' },
    seed: { type: 'string', default: '9' },
    'llm-failure': { type: 'string', default: '0.2' },
    'receiver-failure': { type: 'string', default: '0.3' },
    'no-dovecot-restart': { type: 'boolean', default: false },
    'keep-logs': { type: 'boolean', default: false },
  },
});

const number = (name: string, value: string, max = Number.MAX_SAFE_INTEGER) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > max) {
    console.error(`chaos: --${name} expects a number between 0 and ${max}, got "${value}"`);
    process.exit(2);
  }
  return n;
};

const dovecot = dovecotUnavailable();
const pg = await postgresUnavailable();
if (dovecot || pg) {
  console.error(`chaos needs Dovecot and PostgreSQL: ${dovecot ?? ''}${dovecot && pg ? '; ' : ''}${pg ? `PostgreSQL at ${PG_ADMIN_URL}: ${pg}` : ''}`);
  process.exit(2);
}

const result = await runChaos({
  messages: number('messages', flags.messages),
  kills: number('kills', flags.kills),
  seed: number('seed', flags.seed),
  llmFailureRate: number('llm-failure', flags['llm-failure'], 1),
  receiverFailureRate: number('receiver-failure', flags['receiver-failure'], 1),
  restartDovecot: !flags['no-dovecot-restart'],
  keepLogs: flags['keep-logs'],
  log: (line) => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`),
});
console.log(renderChaosTable(result));
process.exit(result.ok ? 0 : 1);
