/**
 * `npm run bench:scale`: the figures of issue 21 with real components — a private Dovecot with
 * generated mailboxes at its stock limits raised only as the README says, PostgreSQL (a throwaway
 * database), the fake model server, and `mailroom run` as real processes. Prints a table and writes
 * bench/scale-results.json. Measures; asserts nothing.
 *
 *   npm run bench:scale -- [--only one,share] [--mailboxes 1000] [--model-latency 200]
 *     [--latency-count 100] [--idle-seconds 60] [--sweep-interval 60s] [--share-mailboxes 300] [--lease-ttl 30s]
 *     [--stock] [--stock-login] [--keep-logs DIR] [--out bench/scale-results.json]
 *
 * --stock runs the first figure against Dovecot's limits with nothing raised (and
 * fs.inotify.max_user_instances as it is); otherwise the bench raises that kernel setting for its
 * run as the README says, prints it, and puts the old value back. --stock-login runs the share
 * figures with Dovecot's stock (high-security) login mode instead of the README's high-performance
 * one: a new imap-login process per connection, which is what makes a takeover's logins slow.
 * --keep-logs copies every `mailroom run` log there.
 */
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { postgresUnavailable } from '../test/support/databases.js';
import { dovecotUnavailable } from '../test/support/dovecot.js';
import { type FairShareResult, runFairShare } from './parts/fair-share.js';
import { type ManyMailboxesResult, runManyMailboxes } from './parts/many-mailboxes.js';
import { README_DOVECOT_SETTINGS, README_LOGIN_SETTINGS } from './support/scale-world.js';
import { round } from './support/stats.js';

const { values: flags } = parseArgs({
  options: {
    only: { type: 'string', default: 'one,share' },
    mailboxes: { type: 'string', default: '1000' },
    'model-latency': { type: 'string', default: '200' },
    'latency-count': { type: 'string', default: '100' },
    'idle-seconds': { type: 'string', default: '60' },
    'sweep-interval': { type: 'string', default: '60s' },
    'share-mailboxes': { type: 'string', default: '300' },
    'lease-ttl': { type: 'string', default: '30s' },
    stock: { type: 'boolean', default: false },
    'stock-login': { type: 'boolean', default: false },
    'keep-logs': { type: 'string' },
    out: { type: 'string', default: 'bench/scale-results.json' },
  },
});

const log = (line: string) => console.error(`[scale ${new Date().toISOString().slice(11, 19)}] ${line}`);
const reasons = [dovecotUnavailable(), await postgresUnavailable()].filter(Boolean);
if (reasons.length > 0) {
  console.error(`bench:scale needs Dovecot and PostgreSQL: ${reasons.join('; ')}`);
  process.exit(2);
}
const only = new Set(flags.only.split(','));
const results: { measured_at: string; machine: Record<string, unknown>; one?: ManyMailboxesResult; share?: FairShareResult } = {
  measured_at: new Date().toISOString(),
  machine: { cpu: cpus()[0]?.model, cores: cpus().length, memory_gb: round(totalmem() / 1024 ** 3, 1), os: `${process.platform} ${release()}`, node: process.version },
};

if (only.has('one')) {
  log(`one process, ${flags.mailboxes} mailboxes, ${flags['model-latency']} ms model${flags.stock ? ', Dovecot limits all stock' : ''}`);
  results.one = await runManyMailboxes(
    {
      mailboxes: Number(flags.mailboxes),
      modelLatencyMs: Number(flags['model-latency']),
      latencyCount: Number(flags['latency-count']),
      idleSeconds: Number(flags['idle-seconds']),
      sweepInterval: flags['sweep-interval'],
      ...(flags.stock ? { dovecotSettings: '', keepInotify: true } : {}),
    },
    log,
  );
}
if (only.has('share')) {
  log(`two then three processes on ${flags['share-mailboxes']} mailboxes, lease_ttl ${flags['lease-ttl']}`);
  results.share = await runFairShare(
    {
      mailboxes: Number(flags['share-mailboxes']),
      leaseTtl: flags['lease-ttl'],
      ...(flags['stock-login'] ? { dovecotSettings: README_DOVECOT_SETTINGS.replace(README_LOGIN_SETTINGS, '') } : {}),
      ...(flags['keep-logs'] ? { keepLogs: flags['keep-logs'] } : {}),
    },
    log,
  );
  results.share.loginMode = flags['stock-login'] ? 'stock (high-security: an imap-login process per connection)' : 'high-performance (README)';
}

writeFileSync(flags.out, `${JSON.stringify(results, null, 2)}\n`);
console.log(render(results));
console.log(`\nwritten to ${flags.out}`);
process.exit(0);

function render(r: typeof results): string {
  const rows: Array<[string, string, string]> = [];
  const one = r.one;
  if (one) {
    rows.push([
      `${one.mailboxes} mailboxes, one process: all connected`,
      one.allConnected ? `yes, ${round(one.secondsToAllConnected ?? 0, 1)} s` : `no (${one.connectedAtEnd})`,
      `Dovecot refused/dropped logins: ${one.refusedLogins.failedLogins}; limit lines in its log: ${one.refusedLogins.limitLines}`,
    ]);
    if (one.inotifyInstances)
      rows.push([
        '   fs.inotify.max_user_instances',
        `${one.inotifyInstances.during}`,
        one.inotifyInstances.during === one.inotifyInstances.before ? 'as found' : `raised from ${one.inotifyInstances.before} for the run (README), restored after`,
      ]);
    rows.push(['   RSS', `${round(one.rssMb.idle, 0)} MB idle / ${round(one.rssMb.peak, 0)} MB peak`, 'VmRSS after connecting; VmHWM over the whole run']);
    rows.push([
      '   idle CPU',
      `${round(one.idleCpuPercent, 1)} %`,
      `user+system of mailroom run over ${one.idleSeconds} s with every mailbox in IDLE (of one core), ingest.sweep_interval ${one.sweepInterval}`,
    ]);
    rows.push([
      '   APPEND → decision',
      `p50 ${one.toDecisionMs.p50} / p95 ${one.toDecisionMs.p95} ms`,
      `${one.toDecisionMs.messages} messages to random mailboxes, ${one.modelLatencyMs} ms model, max ${one.toDecisionMs.max} ms`,
    ]);
    if (one.readyNoteWhileConnecting) rows.push(['   /ready while connecting', '', one.readyNoteWhileConnecting]);
  }
  const s = r.share;
  if (s) {
    rows.push([`${s.mailboxes} mailboxes shared: Dovecot login mode`, s.loginMode ?? '', '']);
    for (const phase of s.phases)
      rows.push([
        `${s.mailboxes} mailboxes, ${phase.processes} processes, 2×lease_ttl after the last joined`,
        phase.shares.join(' / '),
        `fair share ${phase.fairShare}; worst deviation ${round(phase.worstDeviation * 100, 1)} %`,
      ]);
    for (const k of s.kills)
      rows.push([
        `   SIGKILL of a process ${k.sameHost ? 'on the same host' : 'on another host'}`,
        k.secondsToAllWatched === null ? 'not all watched again' : `all watched again after ${round(k.secondsToAllWatched, 1)} s`,
        `its ${k.held} mailboxes; lease_ttl ${s.leaseTtlSeconds} s`,
      ]);
    rows.push([
      '   two sessions of one mailbox at once',
      `${s.overlaps} in the log, ${s.doubledIdle} in IDLE by sampling`,
      `${s.sessions} sessions logged; ${s.samples} samples of the server's processes`,
    ]);
    rows.push(['   messages', `${s.delivered} delivered, ${s.stored} stored, ${s.decided} decided`, `${s.storedTwice} stored twice, ${s.decidedTwice} decided twice, ${s.undecided} undecided`]);
  }
  const header = `Mailroom scale bench — ${r.measured_at} — ${r.machine.cpu} (${r.machine.cores} cores, ${r.machine.memory_gb} GB), Node ${r.machine.node}`;
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  return [header, '', ...rows.map(([a, b, c]) => `| ${a.padEnd(widths[0]!)} | ${b.padEnd(widths[1]!)} | ${c} |`)].join('\n');
}
