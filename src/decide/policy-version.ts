import { createHash } from 'node:crypto';
import type { Policy } from './decision.js';
import { DETECTOR_TERMS_FINGERPRINT } from './detectors/detect-flags.js';
import { normalizeDomain, type VipList } from './vip.js';

/**
 * Bump when the rules in decide.ts change meaning. Term-list changes are picked up on their own
 * through the detector fingerprint.
 */
export const DECISION_RULES_VERSION = 1;

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
    vipAddresses: [...new Set(vip.addresses.map((a) => a.trim().toLowerCase()))].sort(),
    vipDomains: [...new Set(vip.domains.map(normalizeDomain))].filter((d) => d !== '').sort(),
  });
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 12);
  return `r${DECISION_RULES_VERSION}-${hash}`;
}
