import { visible } from '../../util/terminal-text.js';

/**
 * One line of `mailroom doctor`'s checklist. `warn` is worth knowing but does not make the exit
 * code non-zero; `fail` always comes with one `fix` the operator can act on.
 */
export interface CheckResult {
  name: string;
  status: 'ok' | 'warn' | 'fail' | 'skip';
  detail: string;
  fix?: string;
}

export const ok = (name: string, detail: string): CheckResult => ({ name, status: 'ok', detail });
export const warn = (name: string, detail: string, fix?: string): CheckResult => ({ name, status: 'warn', detail, ...(fix ? { fix } : {}) });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });
export const skip = (name: string, detail: string): CheckResult => ({ name, status: 'skip', detail });

/** Runs a check with an upper bound on its time, so one hung server cannot hang the doctor. */
export async function withDeadline<T>(ms: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const MARK: Record<CheckResult['status'], string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

/** One checklist line, with its fix indented below when there is one. */
export function formatCheckLine(result: CheckResult): string {
  // Details repeat what servers and receivers answered: shown, never let act on the terminal.
  const line = `${MARK[result.status]} ${visible(result.name)}: ${visible(result.detail)}`;
  return result.fix ? `${line}\n       fix: ${visible(result.fix)}\n` : `${line}\n`;
}

export function formatSummary(results: readonly CheckResult[]): string {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  const failed = count('fail');
  const parts = [`${count('ok')} passed`, `${failed} failed`, `${count('warn')} warning${count('warn') === 1 ? '' : 's'}`];
  if (count('skip') > 0) parts.push(`${count('skip')} skipped`);
  return `${failed === 0 ? 'Mailroom is ready to run' : 'Mailroom is not ready'}: ${parts.join(', ')}\n`;
}
