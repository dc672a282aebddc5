/** A configuration problem: the process stops with exit code 2 before touching anything. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
