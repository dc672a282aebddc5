/**
 * `mailroom doctor` as the CLI runs it, for tests to spawn while src/cli/main.ts does not register
 * the command yet: the same commander wiring, the same exit code handling as main.ts.
 */
import { Command, CommanderError } from 'commander';
import { register } from '../../src/cli/commands/doctor.js';

const program = new Command('mailroom').option('-c, --config <file>', 'configuration file').exitOverride();
register(program, async () => {
  throw new Error('doctor must not open the app (that would migrate the database)');
});
let code = 0;
try {
  await program.parseAsync(process.argv);
  code = typeof process.exitCode === 'number' ? process.exitCode : 0;
} catch (error) {
  code = error instanceof CommanderError ? 2 : 1;
  if (!(error instanceof CommanderError)) process.stderr.write(`mailroom: ${(error as Error).message}\n`);
}
process.exit(code);
