import type { Classification } from '../classify/classification.js';
import type { Action, Reason } from '../decide/decision.js';

/** What triage reports for one file: the JSON line of DESIGN.md, plus context for people. */
export type TriageResult =
  | {
      file: string;
      ok: true;
      email_id: string | null;
      message_id: string | null;
      subject: string;
      action: Action;
      reasons: Reason[];
      flags: { payment: boolean; legal: boolean; vip: boolean };
      /** A draft may only acknowledge (payment, legal, VIP). */
      acknowledge_only: boolean;
      prefilter: string | null;
      classification: Classification | null;
      classifier: { model: string; prompt_version: string; cached: boolean } | null;
      /** True when the stored decision of an earlier run was reused (no new model call). */
      reused: boolean;
    }
  | { file: string; ok: false; email_id: string | null; error: string; postponed?: boolean };
