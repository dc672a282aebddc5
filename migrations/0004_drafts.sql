-- Reply drafts: one outbox row per email whose decision is `draft`, written in the decision's
-- transaction and turned into a message in the mailbox's Drafts folder (or, in send mode, a sent
-- reply) by the draft worker after the commit.

CREATE TABLE drafts (
  id                text PRIMARY KEY,                  -- dft_<ULID>
  -- One draft per email, enforced here: a repeated enqueue is a no-op.
  email_id          text NOT NULL UNIQUE REFERENCES messages (id) ON DELETE CASCADE,
  mailbox           text NOT NULL,                     -- configured mailbox name
  acknowledge_only  boolean NOT NULL,                  -- payment, legal or VIP: acknowledgement template only
  -- pending: waiting or in flight; drafted: in the Drafts folder; sent: sent by SMTP (send mode);
  -- skipped: deliberately not written, reason in last_error (e.g. the sender cannot be answered)
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'drafted', 'sent', 'skipped')),
  attempts          integer NOT NULL DEFAULT 0,        -- raised by each claim
  next_attempt_at   timestamptz NOT NULL,
  locked_by         text,
  locked_at         timestamptz,
  last_error        text,                              -- why the last attempt did not finish
  note              text,                              -- why a send-mode reply stayed a draft
  -- The reply text, kept once written: a retry after an IMAP failure stores the same words
  -- without asking the model again.
  reply_text        text,
  language          text,                              -- ISO 639-1 of reply_text
  writer            text,                              -- template | <model>@<prompt version>
  recipient         text,                              -- lower-cased To address of the reply
  message_id        text,                              -- Message-ID of the draft (or sent reply)
  folder            text,                              -- where it was stored (Drafts, or Sent in send mode)
  imap_uidvalidity  bigint,
  imap_uid          bigint,
  -- Send mode: committed just before the SMTP send. A claim that finds it set without sent_at
  -- never sends again (the outcome of the earlier attempt is unknown): it looks for the copy in
  -- Sent, and otherwise stores a draft. Also what the per-recipient daily limit counts.
  send_started_at   timestamptz,
  sent_at           timestamptz,
  smtp_response     text,
  completed_at      timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drafts_due_idx ON drafts (next_attempt_at) WHERE status = 'pending';
CREATE INDEX drafts_recipient_sends_idx ON drafts (recipient, send_started_at) WHERE send_started_at IS NOT NULL;
