/**
 * Removes U+0000 from every string of a parse result. A NUL means nothing in mail text, and
 * PostgreSQL cannot store it, so it never leaves the parse stage.
 */
export function withoutNul<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\u0000', '') as T;
  if (Array.isArray(value)) return value.map((item: unknown) => withoutNul(item)) as T;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key] = withoutNul(inner);
    return out as T;
  }
  return value;
}
