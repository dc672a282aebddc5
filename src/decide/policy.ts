import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { Config } from '../config/index.js';
import type { Policy } from './decision.js';
import { DETECTOR_TERMS_FINGERPRINT } from './detectors/detect-flags.js';

/** The policy settings of the configuration, worked out once: what decide() and evaluation use. */
export interface PolicySettings extends Policy {
  vip: VipList;
  /** policyVersion() of these settings, stored with every decision. */
  version: string;
}

export function policyFrom(config: Pick<Config, 'policy' | 'drafts' | 'classifier'>): PolicySettings {
  const policy: Policy = {
    threshold: config.policy.threshold,
    draftsEnabled: config.drafts.mode !== 'off',
    localFlagThreshold: config.classifier.local.flag_threshold,
    localBillingThreshold: config.classifier.local.billing_flag_threshold,
    localHintThreshold: config.classifier.local.hint_flag_threshold,
    reviewWhenPii: config.policy.review_when_pii,
  };
  return { ...policy, vip: config.policy.vip, version: policyVersion(policy, config.policy.vip) };
}

export interface VipList {
  addresses: string[];
  domains: string[];
}

/**
 * Lower-case ASCII (punycode) form of a domain, without a trailing dot, and without the "@",
 * "*." or "." people tend to write in front of domains in a config file.
 */
export function normalizeDomain(domain: string): string {
  const bare = domain
    .trim()
    .toLowerCase()
    .replace(/^(?:\*\.|@|\.)+/, '')
    .replace(/\.+$/, '');
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

/**
 * Bump when the rules in decide.ts change meaning. Term-list changes are picked up on their own
 * through the detector fingerprint.
 */
export const DECISION_RULES_VERSION = 2;

/**
 * Short, stable id of "the rules and settings that made this decision", stored with every
 * decision so an audit can tell which decisions came from which policy. Order and case of the VIP
 * lists do not change it; any threshold, drafts or VIP change does.
 */
export function policyVersion(policy: Policy, vip: VipList): string {
  const canonical = JSON.stringify({
    rules: DECISION_RULES_VERSION,
    terms: DETECTOR_TERMS_FINGERPRINT,
    threshold: policy.threshold,
    drafts: policy.draftsEnabled,
    ...(policy.localFlagThreshold === undefined ? {} : { localFlags: policy.localFlagThreshold }),
    ...(policy.localBillingThreshold === undefined ? {} : { localBilling: policy.localBillingThreshold }),
    ...(policy.localHintThreshold === undefined ? {} : { localHint: policy.localHintThreshold }),
    // Only when set, so versions of policies without it stay what they were.
    ...(policy.reviewWhenPii && policy.reviewWhenPii.length > 0 ? { reviewWhenPii: [...new Set(policy.reviewWhenPii)].sort() } : {}),
    vipAddresses: [...new Set(vip.addresses.map((a) => a.trim().toLowerCase()))].sort(),
    vipDomains: [...new Set(vip.domains.map(normalizeDomain))].filter((d) => d !== '').sort(),
  });
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
  return `r${DECISION_RULES_VERSION}-${hash}`;
}
