import { domainToASCII } from 'node:url';

export interface VipList {
  addresses: string[];
  domains: string[];
}

/**
 * Lower-case ASCII (punycode) form of a domain, without a trailing dot, and without the "@",
 * "*." or "." people tend to write in front of domains in a config file.
 */
export function normalizeDomain(domain: string): string {
  const bare = domain.trim().toLowerCase().replace(/^(?:\*\.|@|\.)+/, '').replace(/\.+$/, '');
  if (bare === '') return '';
  // domainToASCII returns "" for a name it cannot encode; keep the lower-cased text then.
  return domainToASCII(bare) || bare;
}

/**
 * VIP from configuration: the exact address (case-insensitive), or a sender whose domain is a
 * listed domain or a subdomain of it. Matching is label by label from the right, so
 * `bigclient.example.evil.test` and `evilbigclient.example` are not `bigclient.example`.
 */
export function isVip(address: string | null, vip: VipList): boolean {
  if (!address) return false;
  const wanted = address.trim().toLowerCase();
  if (wanted === '') return false;
  if (vip.addresses.some((a) => a.trim().toLowerCase() === wanted)) return true;
  const at = wanted.lastIndexOf('@');
  if (at <= 0) return false;
  const domain = normalizeDomain(wanted.slice(at + 1));
  if (domain === '') return false;
  return vip.domains.some((listed) => {
    const d = normalizeDomain(listed);
    return d !== '' && (domain === d || domain.endsWith(`.${d}`));
  });
}
