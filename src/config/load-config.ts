import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { type Config, configSchema } from './schema.js';

/** A configuration problem: the process stops with exit code 2 before touching anything. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or null for the built-in defaults. */
  path: string | null;
}

/** `--config FILE`, else MAILROOM_CONFIG, else the built-in defaults (no file needed). */
export function loadConfig(explicitPath?: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const path = explicitPath ?? (env.MAILROOM_CONFIG || undefined);
  if (!path) return { config: parseConfig({}, '(defaults)'), path: null };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new ConfigError(`cannot read config file ${path}: ${why}; pass an existing file with --config or MAILROOM_CONFIG (see config/example.yaml)`);
  }
  return { config: parseConfigText(text, path, env), path };
}

export function parseConfigText(text: string, source: string, env: NodeJS.ProcessEnv = process.env): Config {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new ConfigError(`${source}${line ? `:${line}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`);
  }
  // Substituted after parsing, inside string values only: whatever the environment holds (a `#`,
  // a newline, a leading `*`, digits) is taken literally as that string and cannot add keys.
  let parsed: unknown;
  try {
    parsed = doc.toJS() ?? {};
  } catch (error) {
    // yaml refuses alias bombs and aliases to nothing while building values, not while parsing.
    throw new ConfigError(`${source}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const { value, missing, substituted } = substituteInValues(parsed, env);
  if (missing.length > 0) {
    const list = missing.map(({ name, path }) => `\${${name}} (${path})`).join(', ');
    throw new ConfigError(
      `${source}: environment variable${missing.length > 1 ? 's' : ''} not set: ${list}; set ${missing.length > 1 ? 'them' : 'it'}, or write \${VAR:-default} (\${VAR:-} for "not set")`,
    );
  }
  return parseConfig(value, source, substituted);
}

/**
 * `substituted` names the keys whose value came from the environment: an error about one of them
 * never shows the value, which is usually a secret.
 */
export function parseConfig(value: unknown, source: string, substituted: ReadonlySet<string> = new Set()): Config {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source}: expected a mapping of keys (database:, mailboxes:, …) at the top level`);
  }
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`${source}: ${result.error.issues.map((issue) => describeIssue(issue, value, substituted)).join('; ')}`);
}

/** `policy.threshold: expected a number between 0 and 1, got "high"` */
function describeIssue(issue: z.core.$ZodIssue, root: unknown, substituted: ReadonlySet<string>): string {
  const path = formatPath(issue.path);
  const got = valueAt(root, issue.path);
  let message = issue.message;
  const generic = message.startsWith('Invalid input');
  if (issue.code === 'invalid_type' && got === undefined) message = `missing: expected ${issue.expected}`;
  else if (issue.code === 'invalid_type' && generic) message = `expected ${issue.expected}`;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (see config/example.yaml)`;
  const shown = got === undefined || issue.code === 'unrecognized_keys' ? '' : `, got ${showValue(got, path, substituted)}`;
  const hint = issue.code === 'invalid_type' && substituted.has(path) ? ' (a ${VAR} is always a string: write numbers and true/false in the file)' : '';
  return `${path || '(top level)'}: ${message}${shown}${hint}`;
}

/** Keys whose values are secrets (or hold one, like a connection URL with its password). */
const SECRET_KEY = /(^|\.)(password|access_token|api_key|secret_key|link_secret|tokens(\[\d+\])?)$|^database\.url$/;

/** What an error may show of a value: never a secret, never anything taken from the environment. */
function showValue(got: unknown, path: string, substituted: ReadonlySet<string>): string {
  if (SECRET_KEY.test(path)) return 'a value (not shown: a secret)';
  if ([...substituted].some((key) => key === path || key.startsWith(`${path}.`) || key.startsWith(`${path}[`))) {
    return 'a value from the environment (not shown)';
  }
  return JSON.stringify(got);
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

const REFERENCE = /\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in one string with values from the environment, so
 * secrets stay out of files. `$${` escapes a literal `${`. `${VAR:-default}` takes the default when
 * VAR is unset or empty; an unset VAR without a default is reported in `missing` (and becomes "").
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): { text: string; missing: string[] } {
  const missing: string[] = [];
  const replaced = text.replace(REFERENCE, (whole, escaped: string, name: string, fallback?: string) => {
    if (escaped) return whole.slice(1);
    const value = env[name];
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value === undefined) missing.push(name);
    return value ?? '';
  });
  return { text: replaced, missing };
}

interface Substitution {
  value: unknown;
  missing: Array<{ name: string; path: string }>;
  /** Paths of the string values that took something from the environment. */
  substituted: Set<string>;
}

/**
 * Substitutes in every string value of a parsed document (keys are left alone). Builds a new tree,
 * so a YAML alias shared by two keys is substituted once per key, never twice in one place.
 */
export function substituteInValues(root: unknown, env: NodeJS.ProcessEnv): Substitution {
  const result: Substitution = { value: undefined, missing: [], substituted: new Set() };
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === 'string') {
      const { text, missing } = substituteEnv(node, env);
      const where = formatPath(path) || '(top level)';
      for (const name of missing) result.missing.push({ name, path: where });
      if (/\$\{[A-Za-z_]/.test(node.replace(/\$\$\{/g, ''))) result.substituted.add(where);
      return text;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  result.value = walk(root, []);
  return result;
}
