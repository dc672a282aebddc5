import type { Command } from 'commander';
import { describeDatabase } from '../../db/index.js';
import type { AppFactory } from '../app.js';

export function register(program: Command, openApp: AppFactory): void {
  program
    .command('migrate')
    .description('apply database migrations (every command also applies them on start)')
    .action(async (_options, command: Command) => {
      // openApp migrates; this command only reports what is now in place.
      const app = await openApp(command.optsWithGlobals());
      try {
        const applied = await app.db
          .selectFrom('kysely_migration' as never)
          .select(['name' as never])
          .orderBy('name' as never)
          .execute();
        process.stdout.write(`${describeDatabase(app.config.database)}: ${applied.length} migrations applied, schema up to date\n`);
      } finally {
        await app.close();
      }
    });
}
