import type { Command } from 'commander';
import { formatShadowReport, shadowReports } from '../../shadow/index.js';
import { type AppFactory, parseSinceFlag, printJsonLine } from '../app.js';

export function register(program: Command, openApp: AppFactory): void {
  const shadow = program.command('shadow').description('shadow mode: a candidate classifier beside the live one (classifier.shadow), measured and never acted on');
  shadow
    .command('report')
    .description('how the candidate compares with the live decisions and with the corrections people made')
    .option('--since <when>', 'only emails shadowed since a duration ago (7d, 12h) or a date; default: all')
    .option('--candidate <name>', 'only this candidate (default: every candidate with results)')
    .option('--json', 'one JSON object per candidate')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<{ since?: string; candidate?: string; json?: boolean; config?: string }>();
      const since = flags.since === undefined ? null : parseSinceFlag(flags.since);
      // Through the service's socket when `mailroom run` holds the embedded database, like every read command.
      const app = await openApp(flags);
      try {
        const reports = await shadowReports(app.db, { since, candidate: flags.candidate ?? null });
        if (flags.json) {
          for (const report of reports) printJsonLine({ since: since?.toISOString() ?? null, ...report });
          return;
        }
        process.stdout.write(formatShadowReport(reports, { since }));
      } finally {
        await app.close();
      }
    });
}
