import type { Command } from 'commander';
import { type OverrideCount, overrideStats } from '../../corrections/index.js';
import { type AppFactory, formatTable, parseSinceFlag, printJsonLine } from '../app.js';

export function register(program: Command, openApp: AppFactory): void {
  program
    .command('stats')
    .description('how often people override Mailroom: corrections per decision by action, intent and week')
    .option('--since <when>', 'decisions since a duration ago or a date', '90d')
    .option('--json', 'one JSON object')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<{ since: string; json?: boolean; config?: string }>();
      const since = parseSinceFlag(flags.since);
      const app = await openApp(flags);
      try {
        const stats = await overrideStats(app.db, since);
        if (flags.json) {
          printJsonLine({ ...stats, since: stats.since.toISOString() });
          return;
        }
        const pct = (c: OverrideCount) => `${(c.rate * 100).toFixed(1)} %`;
        const table = (title: string, items: OverrideCount[]) =>
          `${title}\n${formatTable(
            ['', 'DECISIONS', 'OVERRIDDEN', 'RATE'],
            items.map((c) => [c.key, String(c.decisions), String(c.overridden), pct(c)]),
          )}\n`;
        process.stdout.write(`Override rate since ${since.toISOString().slice(0, 10)}: ${stats.total.overridden} of ${stats.total.decisions} decisions (${pct(stats.total)})\n\n`);
        process.stdout.write(table('By action Mailroom decided', stats.byAction));
        process.stdout.write(table('By intent the classifier gave', stats.byIntent));
        process.stdout.write(table('By week of the decision', stats.byWeek));
        if (stats.transitions.length > 0) {
          process.stdout.write(
            `Corrections (every one, also repeated)\n${formatTable(
              ['FROM', 'TO', 'COUNT'],
              stats.transitions.map((t) => [t.from, t.to, String(t.count)]),
            )}`,
          );
        }
      } finally {
        await app.close();
      }
    });
}
