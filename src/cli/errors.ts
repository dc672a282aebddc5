/** Exit codes of DESIGN.md: 0 success, 1 some input failed (the rest was done), 2 bad usage or configuration. */
export const EXIT_OK = 0;
export const EXIT_SOME_FAILED = 1;
export const EXIT_USAGE = 2;

/** Bad usage: wrong arguments, unknown id, a refused URL. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
