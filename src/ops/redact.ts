import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, pino } from 'pino';
import type { Config } from '../config/index.js';

export const REDACTED = '[redacted]';

/**
 * Shorter secrets are not hunted in free text: replacing every "abc" in every log line would make
 * the logs unreadable, and a configured secret that short is refused by nobody but also protects nothing.
 */
export const MIN_SECRET_LENGTH = 4;

/**
 * Shapes of secrets that are never in the configuration but can reach a log line: webhook secrets
 * come from the database, bearer tokens from requests, passwords inside connection URLs from
 * library errors, signed-link tokens from URLs. Each pattern keeps its harmless prefix, so a reader
 * still sees what kind of thing was there.
 */
const SECRET_SHAPES: Array<{ pattern: RegExp; replace: string }> = [
  { pattern: /whsec_[A-Za-z0-9+/=]{8,}/g, replace: `whsec_${REDACTED}` },
  { pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, replace: `$1${REDACTED}` },
  { pattern: /\b(Basic\s+)[A-Za-z0-9+/=]{8,}/g, replace: `$1${REDACTED}` },
  // scheme://user:password@host — pg, SMTP and IMAP libraries repeat the URL they were given.
  { pattern: /\b([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"'\\]*:)[^@/?#\s"'\\]+@/gi, replace: `$1${REDACTED}@` },
  { pattern: /\bsk-[A-Za-z0-9_-]{16,}/g, replace: `sk-${REDACTED}` },
  { pattern: /([?&](?:token|access_token|api_key|apikey|key|secret)=)[^&#\s"'\\]+/gi, replace: `$1${REDACTED}` },
];

/**
 * Every secret the configuration holds (and OPENAI_API_KEY, which the classifier reads from the
 * environment), so that none of them can reach a log line, whatever library put it in a message.
 */
export function secretsFromConfig(config: Config, env: NodeJS.ProcessEnv = process.env): string[] {
  const found: Array<string | undefined> = [
    config.classifier.api_key,
    config.classifier.shadow?.kind === 'openai' ? config.classifier.shadow.api_key : undefined,
    env.OPENAI_API_KEY,
    config.webhooks.secret_key,
    config.api.link_secret,
    config.drafts.smtp?.password,
    ...config.api.tokens.map((t) => t.token),
    ...config.mailboxes.flatMap((m) => [m.password, m.access_token]),
  ];
  if (config.database.url) {
    try {
      const password = decodeURIComponent(new URL(config.database.url).password);
      found.push(password);
    } catch {
      // not a URL: the connection fails with its own message, and the URL shape above still applies
    }
  }
  return [...new Set(found.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH))];
}

/**
 * The forms a secret takes in a log line: as typed, escaped inside a JSON string, and base64
 * (AUTHENTICATE and Basic auth carry credentials that way).
 */
function secretForms(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), Buffer.from(secret, 'utf8').toString('base64')]);
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A growing set of secrets compiled into one pattern. Secrets learned at run time (a decrypted
 * webhook secret, a token from a request) can be added; the pattern is rebuilt then, not per line.
 */
export class SecretSet {
  #secrets = new Set<string>();
  #pattern: RegExp | null = null;

  constructor(secrets: Iterable<string | undefined | null> = []) {
    this.add(...secrets);
  }

  add(...secrets: Array<string | undefined | null>): void {
    let changed = false;
    for (const secret of secrets) {
      if (typeof secret !== 'string' || secret.length < MIN_SECRET_LENGTH || this.#secrets.has(secret)) continue;
      this.#secrets.add(secret);
      changed = true;
    }
    if (!changed) return;
    // Longest first, so a secret that contains another is replaced whole.
    const forms = [...new Set([...this.#secrets].flatMap(secretForms))].sort((a, b) => b.length - a.length);
    this.#pattern = new RegExp(forms.map(escapeRegExp).join('|'), 'g');
  }

  get size(): number {
    return this.#secrets.size;
  }

  redact(text: string): string {
    let out = this.#pattern ? text.replace(this.#pattern, REDACTED) : text;
    for (const { pattern, replace } of SECRET_SHAPES) out = out.replace(pattern, replace);
    return out;
  }
}

/** Replaces every occurrence of the secrets (and of known secret shapes) in `text`. */
export function redactSecrets(text: string, secrets: readonly string[] | SecretSet): string {
  return (secrets instanceof SecretSet ? secrets : new SecretSet(secrets)).redact(text);
}

/**
 * Redacts a serialized pino line (pino's `hooks.streamWrite`). This runs on the finished JSON, so
 * it reaches every place a secret can hide: the message, `err.message` and `err.stack` from a
 * library, child bindings, nested objects. The result must stay valid JSON; in the rare case a
 * replacement broke an escape sequence the line is withheld rather than written half-redacted.
 */
export function redactLogLine(line: string, secrets: SecretSet): string {
  const redacted = secrets.redact(line);
  if (redacted === line) return line;
  const newline = redacted.endsWith('\n') ? '\n' : '';
  try {
    JSON.parse(redacted);
    return redacted;
  } catch {
    const level = /"level":(\d+)/.exec(line)?.[1] ?? '50';
    const time = /"time":(\d+)/.exec(line)?.[1] ?? String(Date.now());
    return `{"level":${level},"time":${time},"msg":"log line withheld: it contained a secret that could not be redacted cleanly"}${newline}`;
  }
}

/**
 * Keys pino blanks wherever they appear in a logged object (a config section, imapflow's auth
 * options, request headers). Free text is covered by `redactLogLine` on the finished line.
 */
// biome-ignore format: a list of patterns reads best packed
export const REDACT_PATHS = [
  'password', '*.password', 'pass', '*.pass', 'auth.pass', '*.auth.pass', 'api_key', '*.api_key', 'apiKey', '*.apiKey', 'access_token', '*.access_token',
  'accessToken', '*.accessToken', 'secret', '*.secret', 'token', '*.token', 'tokens', '*.tokens', 'authorization', '*.authorization', 'headers.authorization',
  '*.headers.authorization', 'req.headers.authorization', 'secret_key', '*.secret_key', 'link_secret', '*.link_secret',
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
  const destination: DestinationStream = (options.destination as DestinationStream | undefined) ?? (wantPretty ? prettyStream() : null) ?? pino.destination(2);
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
