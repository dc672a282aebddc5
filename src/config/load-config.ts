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
  const { text: substituted } = substituteEnv(text, env);
  const doc = parseDocument(substituted, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    throw new ConfigError(`${source}${line ? `:${line}` : ''}: not valid YAML: ${first.message.split('\n')[0]}`);
  }
  return parseConfig(doc.toJS() ?? {}, source);
}

export function parseConfig(value: unknown, source: string): Config {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${source}: expected a mapping of keys (database:, mailboxes:, …) at the top level`);
  }
  const result = configSchema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`${source}: ${result.error.issues.map((issue) => describeIssue(issue, value)).join('; ')}`);
}

/** `policy.threshold: expected a number between 0 and 1, got "high"` */
function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const path = issue.path
    .map((part) => (typeof part === 'number' ? `[${part}]` : String(part)))
    .join('.')
    .replace(/\.\[/g, '[');
  const got = valueAt(root, issue.path);
  let message = issue.message;
  const generic = message.startsWith('Invalid input');
  if (issue.code === 'invalid_type' && got === undefined) message = `missing: expected ${issue.expected}`;
  else if (issue.code === 'invalid_type' && generic) message = `expected ${issue.expected}`;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')} (see config/example.yaml)`;
  const shown = got === undefined || issue.code === 'unrecognized_keys' ? '' : `, got ${JSON.stringify(got)}`;
  return `${path || '(top level)'}: ${message}${shown}`;
}

function valueAt(root: unknown, path: PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in configuration text with values from the environment,
 * so secrets stay out of files. `$${` escapes a literal `${`. An unset variable without a default
 * becomes an empty string, which optional keys treat as "not set"; required ones then fail validation
 * naming the key.
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): { text: string; missing: string[] } {
  const missing: string[] = [];
  const replaced = text.replace(/\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, escaped: string, name: string, fallback?: string) => {
    if (escaped) return whole.slice(1);
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  return { text: replaced, missing };
}
