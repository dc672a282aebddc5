#!/usr/bin/env node
// The only module loaded before it runs: it may start the process again with its memory settings,
// and what is loaded before that is loaded twice (the rest is imported inside main).
import './process-tuning.js';
import type { Command } from 'commander';
import type { AppFactory } from './app.js';

type Register = (program: Command, openApp: AppFactory) => void;

/**
 * Command modules, loaded on demand: `triage` on one file should not pay for importing the HTTP
 * server, the IMAP client and the PostgreSQL driver it never uses.
 */
const COMMANDS: Record<string, () => Promise<{ register: Register }>> = {
  run: () => import('./commands/run.js'),
  migrate: () => import('./commands/migrate.js'),
  triage: () => import('./commands/triage.js'),
  decisions: () => import('./commands/decisions.js'),
  messages: () => import('./commands/messages.js'),
  corrections: () => import('./commands/corrections.js'),
  rules: () => import('./commands/rules.js'),
  stats: () => import('./commands/stats.js'),
  subscriptions: () => import('./commands/subscriptions.js'),
  deliveries: () => import('./commands/deliveries.js'),
  doctor: () => import('./commands/doctor.js'),
  eval: () => import('./commands/eval.js'),
  model: () => import('./commands/model.js'),
  shadow: () => import('./commands/shadow.js'),
};

/** The first word that is not a global option (or its value): the command the user asked for. */
export function commandName(argv: string[]): string | null {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-c' || arg === '--config') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return null;
}

export async function buildProgram(argv: string[] = process.argv): Promise<Command> {
  const [{ Command }, { openApp }] = await Promise.all([import('commander'), import('./app.js')]);
  const program = new Command('mailroom')
    .description('Watches a support mailbox and decides for every email: suggest a ticket, draft a reply, or leave it alone.')
    .option('-c, --config <file>', 'configuration file (YAML); default: $MAILROOM_CONFIG or the built-in defaults')
    .showHelpAfterError('(run "mailroom help" for the list of commands)')
    .exitOverride();
  const name = commandName(argv);
  const wanted = name && name in COMMANDS ? [COMMANDS[name]!] : Object.values(COMMANDS);
  for (const load of wanted) (await load()).register(program, openApp);
  return program;
}

/** Runs the CLI; every failure ends as one line on stderr and its exit code (docs/design.md). */
export async function main(argv: string[]): Promise<number> {
  const [{ CommanderError }, { ConfigError }, { visible }, { EXIT_SOME_FAILED, EXIT_USAGE, UsageError }] = await Promise.all([
    import('commander'),
    import('../config/index.js'),
    import('../util/terminal-text.js'),
    import('./app.js'),
  ]);
  try {
    const program = await buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    const message = error instanceof Error ? error.message : String(error);
    // Messages can quote mail, receivers or files: shown, never let act on the terminal.
    process.stderr.write(`mailroom: ${visible(message)}\n`);
    return error instanceof ConfigError || error instanceof UsageError ? EXIT_USAGE : EXIT_SOME_FAILED;
  }
}

const code = await main(process.argv);
// A reader that is slower than us (a pipe into another program) may still have output queued:
// exiting now would cut `--json` output short.
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
// Explicit exit: an open PGlite or socket must not keep a finished command alive.
process.exit(code);

function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}
