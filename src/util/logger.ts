import { type Logger, pino } from 'pino';

export type { Logger };

/** A logger that drops everything; for tests and library use. Real logs come from ops' createRedactingLogger. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
