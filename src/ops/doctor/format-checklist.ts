import type { CheckResult } from './check-result.js';

const MARK: Record<CheckResult['status'], string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', skip: '[skip]' };

/** One checklist line, with its fix indented below when there is one. */
export function formatCheckLine(result: CheckResult): string {
  const line = `${MARK[result.status]} ${result.name}: ${result.detail}`;
  return result.fix ? `${line}\n       fix: ${result.fix}\n` : `${line}\n`;
}

export function formatSummary(results: readonly CheckResult[]): string {
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  const failed = count('fail');
  const parts = [`${count('ok')} passed`, `${failed} failed`, `${count('warn')} warning${count('warn') === 1 ? '' : 's'}`];
  if (count('skip') > 0) parts.push(`${count('skip')} skipped`);
  return `${failed === 0 ? 'Mailroom is ready to run' : 'Mailroom is not ready'}: ${parts.join(', ')}\n`;
}
