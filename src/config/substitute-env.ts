/**
 * Replaces `${VAR}` and `${VAR:-default}` in configuration text with values from the environment,
 * so secrets stay out of files. `$${` escapes a literal `${`. An unset variable without a default
 * becomes an empty string, which optional keys treat as "not set"; required ones then fail validation
 * naming the key.
 */
export function substituteEnv(text: string, env: NodeJS.ProcessEnv = process.env): { text: string; missing: string[] } {
  const missing: string[] = [];
  const replaced = text.replace(/\$(\$?)\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (whole, escape: string, name: string, fallback?: string) => {
    if (escape) return whole.slice(1);
    const value = env[name];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    missing.push(name);
    return '';
  });
  return { text: replaced, missing };
}
