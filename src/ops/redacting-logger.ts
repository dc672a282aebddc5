import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { redactLogLine, SecretSet, secretsFromConfig } from './redact.js';

/**
 * Keys pino blanks wherever they appear in a logged object (a config section, imapflow's auth
 * options, request headers). Free text is covered by `redactLogLine` on the finished line.
 */
export const REDACT_PATHS = [
  'password', '*.password', 'pass', '*.pass', 'auth.pass', '*.auth.pass', 'api_key', '*.api_key', 'apiKey', '*.apiKey',
  'access_token', '*.access_token', 'accessToken', '*.accessToken', 'secret', '*.secret', 'token', '*.token', 'tokens',
  '*.tokens', 'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization',
  'req.headers.authorization', 'secret_key', '*.secret_key', 'link_secret', '*.link_secret',
];

export interface RedactingLoggerOptions {
  level?: string;
  /** Where lines go; stderr when omitted. A given destination always gets JSON. */
  destination?: NodeJS.WritableStream;
  /** Human-readable lines: true, false, or 'auto' (when stderr is a terminal and pino-pretty is installed). */
  pretty?: boolean | 'auto';
  /** More secrets to hide besides the configuration's; the set can also grow later via `secrets.add`. */
  secrets?: SecretSet;
  env?: NodeJS.ProcessEnv;
}

const require = createRequire(import.meta.url);

/** pino-pretty when installed (it is a devDependency): production images log JSON without it. */
function prettyStream(): DestinationStream | null {
  try {
    const pretty = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
    return pretty({ destination: 2, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
  } catch {
    return null;
  }
}

/**
 * The process logger with every configured secret (passwords, API keys, bearer tokens, webhook and
 * link secrets, the database password) and every secret-shaped string removed from each line
 * before it is written: JSON on a pipe or file, pretty on a terminal.
 */
export function createRedactingLogger(config: Config, options: RedactingLoggerOptions = {}): Logger {
  const env = options.env ?? process.env;
  const secrets = options.secrets ?? new SecretSet();
  secrets.add(...secretsFromConfig(config, env));
  const level = options.level ?? env.MAILROOM_LOG_LEVEL ?? config.log.level;
  const wantPretty = options.destination === undefined && (options.pretty === true || (options.pretty !== false && process.stderr.isTTY === true));
  const destination: DestinationStream =
    (options.destination as DestinationStream | undefined) ?? (wantPretty ? prettyStream() : null) ?? pino.destination(2);
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: (line) => redactLogLine(line, secrets) },
    },
    destination,
  );
}
