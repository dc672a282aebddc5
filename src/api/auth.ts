import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens from `api.tokens`. Each candidate is hashed first, so the comparison is between
 * two 32-byte digests: timingSafeEqual needs equal lengths, and comparing digests keeps a token's
 * length from showing in the timing. Every configured token is compared, match or not.
 */
export function createTokenCheck(tokens: readonly string[]): { configured: boolean; check(header: string | undefined): boolean } {
  const digests = tokens.map((token) => createHash('sha256').update(token, 'utf8').digest());
  return {
    configured: digests.length > 0,
    check(header) {
      const token = bearerToken(header);
      if (token === null) return false;
      const given = createHash('sha256').update(token, 'utf8').digest();
      let matched = false;
      for (const digest of digests) matched = timingSafeEqual(given, digest) || matched;
      return matched;
    },
  };
}

function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Who may call a route: `none` (probes, the OpenAPI document), `bearer` (always needs a token;
 * refused outright when none is configured, so a forgotten setting never opens the API),
 * `bearer-if-configured` (/metrics: open on a listener without tokens, closed once tokens exist),
 * `link-or-bearer` (the raw email: a signed link token or a bearer token).
 */
export type RouteAuth = 'none' | 'bearer' | 'bearer-if-configured' | 'link-or-bearer';
