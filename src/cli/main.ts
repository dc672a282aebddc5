#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config-error.js';
import { openApp } from './app.js';
import { EXIT_SOME_FAILED, EXIT_USAGE, UsageError } from './errors.js';
import { register as registerMigrate } from './commands/migrate.js';
import { register as registerTriage } from './commands/triage.js';
import { register as registerDecisions } from './commands/decisions.js';
import { register as registerRun } from './commands/run.js';
import { register as registerSubscriptions } from './commands/subscriptions.js';
import { register as registerDeliveries } from './commands/deliveries.js';
import { register as registerDoctor } from './commands/doctor.js';

export function buildProgram(): Command {
  const program = new Command('mailroom')
    .description('Watches a support mailbox and decides for every email: suggest a ticket, draft a reply, or leave it alone.')
    .option('-c, --config <file>', 'configuration file (YAML); default: $MAILROOM_CONFIG or the built-in defaults')
    .showHelpAfterError('(run "mailroom help" for the list of commands)')
    .exitOverride();
  for (const register of [registerRun, registerMigrate, registerTriage, registerDecisions, registerSubscriptions, registerDeliveries, registerDoctor]) register(program, openApp);
  return program;
}

/** Runs the CLI; every failure ends as one line on stderr and the exit code of DESIGN.md. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`mailroom: ${message}\n`);
    return error instanceof ConfigError || error instanceof UsageError ? EXIT_USAGE : EXIT_SOME_FAILED;
  }
}

const code = await main(process.argv);
// Explicit exit: an open PGlite or socket must not keep a finished command alive.
process.exit(code);
