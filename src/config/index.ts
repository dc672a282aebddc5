/**
 * The configuration: one YAML file validated against schema.ts (config/example.yaml documents
 * every key), with `${VAR}` from the environment, and the facts derived from it once.
 */
export { parseDateTime, parseDuration, parseSince } from './duration.js';
export { ConfigError, type LoadedConfig, loadConfig, parseConfig, parseConfigText, substituteEnv } from './load-config.js';
export { type Mailboxes, type MailboxFacts, mailboxFacts } from './mailboxes.js';
export { type Config, configSchema, type MailboxConfig, type ShadowConfig } from './schema.js';
