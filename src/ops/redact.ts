import type { Config } from '../config/schema.js';

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
    env.OPENAI_API_KEY,
    config.webhooks.secret_key,
    config.api.link_secret,
    config.drafts.smtp?.password,
    ...config.api.tokens,
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
