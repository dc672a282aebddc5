import type { Command } from 'commander';
import { formatCheckLine, formatSummary, runDoctor } from '../../ops/index.js';
import { type AppFactory, printJsonLine } from '../app.js';

interface DoctorFlags {
  config?: string;
  json?: boolean;
}

/**
 * `mailroom doctor`. It does not use `openApp`: that would apply pending migrations, and the
 * doctor reports problems instead of changing anything.
 */
export function register(program: Command, _openApp: AppFactory): void {
  program
    .command('doctor')
    .description('check the configuration, database, IMAP logins, LLM endpoint and subscriptions, and say what to fix')
    .option('--json', 'one JSON object per check')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<DoctorFlags>();
      const report = await runDoctor({
        ...(flags.config ? { configPath: flags.config } : {}),
        onResult: (result) => (flags.json ? printJsonLine(result) : process.stdout.write(formatCheckLine(result))),
      });
      if (!flags.json) process.stdout.write(formatSummary(report.results));
      process.exitCode = report.exitCode;
    });
}
