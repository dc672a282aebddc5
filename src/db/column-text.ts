/**
 * PostgreSQL text cannot hold U+0000 ("invalid byte sequence for encoding UTF8: 0x00") and jsonb
 * refuses its escape ("unsupported Unicode escape sequence"). Mail can carry NUL bytes anywhere, so
 * every string from a message passes through here on its way into a column.
 */
export function textColumn<T extends string | null | undefined>(value: T): T {
  return (typeof value === 'string' ? value.replaceAll('\u0000', '') : value) as T;
}

/** JSON for a jsonb column, with NUL removed from every string inside it. */
export function jsonColumn(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'string' ? inner.replaceAll('\u0000', '') : inner));
}
