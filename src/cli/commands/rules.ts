import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { acceptRule, MIN_CORRECTIONS, suggestRules, UnknownRuleError } from '../../corrections/index.js';
import { type AppFactory, formatTable, printJsonLine, UsageError } from '../app.js';

export function register(program: Command, openApp: AppFactory): void {
  const rules = program.command('rules').description('sender and domain rules suggested by repeated corrections; applied only once a person accepts them');
  rules
    .command('suggest')
    .description('senders and domains people corrected to the same action again and again, with how many emails each rule would have changed')
    .option('--min <n>', 'corrections needed before a rule is suggested', String(MIN_CORRECTIONS))
    .option('--json', 'one JSON object per line')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<{ min: string; json?: boolean; config?: string }>();
      const min = Number.parseInt(flags.min, 10);
      if (!Number.isInteger(min) || min < 1) throw new UsageError(`--min: expected a positive whole number, got "${flags.min}"`);
      const app = await openApp(flags);
      try {
        const suggestions = await suggestRules(app.db, { min });
        if (flags.json) {
          for (const s of suggestions)
            printJsonLine({ id: s.id, kind: s.kind, value: s.value, action: s.action, corrections: s.corrections, corrected_total: s.correctedTotal, would_change: s.wouldChange, decided: s.decided });
          return;
        }
        if (suggestions.length === 0) {
          process.stdout.write(`no rule to suggest: no sender or domain was corrected to one action at least ${min} times\n`);
          return;
        }
        const table = suggestions.map((s) => [s.id, `${s.kind} ${s.value} → ${s.action}`, `${s.corrections} of ${s.correctedTotal}`, `${s.wouldChange} of ${s.decided}`]);
        process.stdout.write(formatTable(['ID', 'RULE', 'CORRECTIONS AGREEING', 'WOULD HAVE CHANGED'], table));
        process.stdout.write('Accept one with: mailroom rules accept ID\n');
      } finally {
        await app.close();
      }
    });
  rules
    .command('accept <id>')
    .description('apply a suggested rule from now on (never a ticket for payment, legal or VIP mail)')
    .option('--by <name>', 'who accepts (default: your user name)')
    .action(async (id: string, _options, command: Command) => {
      const flags = command.optsWithGlobals<{ by?: string; config?: string }>();
      const app = await openApp(flags);
      try {
        const accepted = await acceptRule(app.db, id, flags.by ?? userInfo().username);
        process.stdout.write(`accepted: mail from ${accepted.value} → ${accepted.action} (it would have changed ${accepted.wouldChange} of ${accepted.decided} decided emails)\n`);
      } catch (error) {
        if (error instanceof UnknownRuleError) throw new UsageError(error.message);
        throw error;
      } finally {
        await app.close();
      }
    });
}
