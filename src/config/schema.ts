import { z } from 'zod';
import { PII_KINDS } from '../contract/index.js';
import { parseDuration } from './duration.js';

/** A duration written as "5s", "30m", "7d" or milliseconds; parsed to milliseconds. */
const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDuration(value);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration like "30s", "5m" or "7d"' });
    return z.NEVER;
  }
  return ms;
});

/** Optional text that is commonly `${VAR}`: unset, empty or null all mean "not set". */
const optionalSecret = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === null || v.trim() === '' ? undefined : v));

const mailboxSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected a short name of letters, digits, - or _'),
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).optional(),
    /** tls: implicit TLS (993); starttls: upgrade on 143; plain: only allowed on loopback. */
    security: z.enum(['tls', 'starttls', 'plain']).default('tls'),
    user: z.string().min(1),
    password: optionalSecret,
    /** OAuth2 access token for XOAUTH2 (Gmail, Microsoft 365). */
    access_token: optionalSecret,
    folder: z.string().default('INBOX'),
    /** Our own addresses: mail from them is never answered (loop guard); also the draft's From. */
    addresses: z.array(z.string()).default([]),
    /** Drafts folder; found by its \Drafts special-use flag when not set. */
    drafts_folder: z.string().optional(),
    /** Accept a self-signed certificate (test servers only). */
    tls_reject_unauthorized: z.boolean().default(true),
    description: z.string().default(''),
  })
  .strict();

const teamSchema = z.union([
  z
    .string()
    .min(1)
    .transform((name) => ({ name, description: '' })),
  z.object({ name: z.string().min(1), description: z.string().default('') }).strict(),
]);

/** A short name for a shadow candidate, shown in the report and stored with each result. */
const candidateName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,63}$/, 'expected a short name of letters, digits and . _ : @ / + -')
  .optional();

/** How many candidate classifications run at once, and how fast: its own limits, never the live path's. */
const shadowPace = {
  concurrency: z.number().int().min(1).max(64).default(1),
  /** Requests per minute the candidate may start; 0 = unlimited. */
  rpm: z.number().int().min(0).default(0),
};

/**
 * classifier.shadow: a candidate classifier that classifies live mail too, after the live decision,
 * stored and never acted on (README: Shadow mode). Off when absent. An openai candidate inherits
 * every classifier setting it does not name.
 */
const shadowSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('openai'),
      name: candidateName,
      model: z.string().min(1),
      /** Empty: the live classifier's base_url (its server, another model). */
      base_url: optionalSecret,
      /** Usually "${SHADOW_API_KEY}". Empty: the live key, but only when the candidate talks to the live server. */
      api_key: optionalSecret,
      /** Replaces classifier.instructions for the candidate (a prompt variant)… */
      instructions: z.string().optional(),
      /** …or is added after them. */
      extra_instructions: z.string().default(''),
      response_format: z.enum(['auto', 'json_schema', 'json_object', 'text']).optional(),
      temperature: z.number().min(0).max(2).optional(),
      timeout: duration.optional(),
      /** Retries inside one attempt; the job itself is tried again later with the queue's backoff. */
      max_retries: z.number().int().min(0).max(20).default(1),
      /** Personal data replaced before the candidate sees it; default: classifier.redact, judged on the candidate's base_url. */
      redact: z.union([z.literal('auto'), z.boolean(), z.array(z.enum(PII_KINDS))]).optional(),
      ...shadowPace,
    })
    .strict(),
  z.object({ kind: z.literal('local'), name: candidateName, ...shadowPace }).strict(),
  z.object({ kind: z.literal('rules'), name: candidateName, ...shadowPace }).strict(),
]);

export const configSchema = z
  .object({
    database: z
      .object({
        /** postgres://… ; empty or absent means the embedded PGlite. */
        url: optionalSecret,
        /** Folder of the embedded database. */
        path: z.string().default('data/pglite'),
        pool_size: z.number().int().min(1).max(100).default(10),
      })
      .strict()
      .prefault({}),
    mailboxes: z.array(mailboxSchema).default([]),
    ingest: z
      .object({
        max_message_bytes: z
          .number()
          .int()
          .positive()
          .default(25 * 1024 * 1024),
        /** How far back to take mail on the first start: "0" (only new mail) or e.g. "7d". */
        backfill: duration.default(0),
        sweep_interval: duration.default(60_000),
        /**
         * Some servers' IDLE announces new mail late or never (Courier checks its maildir every 60 s).
         * auto: once a sweep finds mail IDLE did not announce, break IDLE with a NOOP every idle_poll;
         * always: from the start; never: rely on IDLE and the sweeps alone.
         */
        lazy_idle: z.enum(['auto', 'always', 'never']).default('auto'),
        idle_poll: duration.default(10_000),
        fetch_batch: z.number().int().min(1).max(1000).default(50),
        /** Set $Mailroom-Ticket / -Draft / -Review keywords on the message. */
        keywords: z.boolean().default(false),
        /** A process that stops renewing (crashed elsewhere) has its mailboxes watched again within this. */
        lease_ttl: duration.default(30_000),
        /** IMAP logins in flight at once, for the whole process: servers limit concurrent logins. */
        connect_concurrency: z.number().int().min(1).max(256).default(8),
        /** Worker concurrency for parse → classify → decide. */
        workers: z.number().int().min(1).max(64).default(4),
      })
      .strict()
      .prefault({}),
    classifier: z
      .object({
        /** auto: openai when an API key or base_url is set, otherwise the local model. */
        provider: z.enum(['auto', 'openai', 'local', 'rules']).default('auto'),
        base_url: optionalSecret,
        model: z.string().default('gpt-4o-mini'),
        api_key: optionalSecret,
        /** auto tries json_schema, then json_object, then text. */
        response_format: z.enum(['auto', 'json_schema', 'json_object', 'text']).default('auto'),
        timeout: duration.default(30_000),
        max_retries: z.number().int().min(0).max(20).default(4),
        concurrency: z.number().int().min(1).max(256).default(4),
        /** Requests per minute across the whole process; 0 = unlimited. */
        rpm: z.number().int().min(0).default(0),
        temperature: z.number().min(0).max(2).default(0),
        logprobs: z.boolean().default(true),
        /** Characters of cleaned text sent to the model at most (head and tail kept). */
        max_input_chars: z.number().int().min(200).default(6000),
        /** What this mailbox is for, in the team's words; goes into the system prompt. */
        instructions: z.string().default(''),
        teams: z.array(teamSchema).default([]),
        /**
         * Personal data replaced by placeholders before the model sees it: auto (on when base_url is
         * not on loopback, i.e. the model is hosted), true, false, or the list of kinds to replace.
         */
        redact: z.union([z.literal('auto'), z.boolean(), z.array(z.enum(PII_KINDS))]).default('auto'),
        /** The prompt carries up to this many of the mailbox's corrected emails most like the one classified (0: none). */
        examples: z.number().int().min(0).max(20).default(5),
        /** With a model: let the local model answer the emails it is sure of once it has shown it agrees. */
        cascade: z.boolean().default(false),
        local: z
          .object({
            /** The trained model's file; default: local-model.bin beside the embedded database. */
            path: z.string().optional(),
            /** It may suggest tickets on its own once "support" was right this often… */
            min_precision: z.number().min(0).max(1).default(0.95),
            /** …on at least this many of the mailbox's own labels, each judged by a model trained without it. */
            min_labels: z.number().int().min(0).default(200),
            /** Retrain in the background once this many new labels arrived. */
            retrain_after: z.number().int().min(1).default(50),
            /** Its payment or legal probability at or above this raises the flag (a second opinion beside the model). */
            flag_threshold: z.number().min(0).max(1).default(0.5),
            /** Its probability that the email is a billing email at or above this raises the payment flag too. */
            billing_flag_threshold: z.number().min(0).max(1).default(0.7),
            /** Its payment probability at or above this raises the flag when the detectors found a weak payment signal they did not act on. */
            hint_flag_threshold: z.number().min(0).max(1).default(0.3),
            /** The cascade answers locally only at or above this confidence… */
            cascade_confidence: z.number().min(0).max(1).default(0.95),
            /** …when it agreed with the model on this share of its last 500 answers that confident… */
            cascade_agreement: z.number().min(0).max(1).default(0.97),
            /** …and there were at least this many of them. */
            cascade_min_answers: z.number().int().min(1).default(100),
            /** Share of confident emails still sent to the model, so the agreement keeps being measured. */
            cascade_audit: z.number().min(0).max(1).default(0.1),
          })
          .strict()
          .prefault({}),
        /** A candidate classifier run beside the live one, stored and never acted on (README: Shadow mode); off when absent. */
        shadow: shadowSchema.optional(),
      })
      .strict()
      .prefault({}),
    corrections: z
      .object({
        /**
         * Folders that mean a correction when a person moves a message into them, e.g.
         * {ticket: Mailroom/Ticket, review: Mailroom/Review, ignore: Mailroom/Ignore}. The way to
         * correct on servers that take no custom keywords (Microsoft 365).
         */
        folders: z
          .object({ ticket: z.string().min(1).optional(), review: z.string().min(1).optional(), ignore: z.string().min(1).optional() })
          .strict()
          .default({}),
        /** How often the mail client's keywords and folders are read when no change was announced (a sweep without CONDSTORE). */
        sweep_interval: duration.default(60_000),
      })
      .strict()
      .prefault({}),
    policy: z
      .object({
        threshold: z.number({ error: 'expected a number between 0 and 1' }).min(0, 'expected a number between 0 and 1').max(1, 'expected a number between 0 and 1').default(0.7),
        /** Mail holding personal data of these kinds goes to a person (review) instead of a ticket or a draft. */
        review_when_pii: z.array(z.enum(PII_KINDS)).default([]),
        vip: z
          .object({ addresses: z.array(z.string()).default([]), domains: z.array(z.string()).default([]) })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    webhooks: z
      .object({
        allow_http: z.boolean().default(false),
        allow_private_networks: z.boolean().default(false),
        /** Key that encrypts subscription secrets at rest (any string; 32+ random characters). */
        secret_key: optionalSecret,
        timeout: duration.default(10_000),
        /** Waits before each attempt; the first is normally 0 (send at once). */
        schedule: z.array(duration).min(1).default([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]),
        /** Disable a subscription that has failed every attempt for this long. */
        disable_after: duration.default(5 * 86_400_000),
        concurrency: z.number().int().min(1).max(256).default(8),
        poll_interval: duration.default(1_000),
      })
      .strict()
      .prefault({}),
    drafts: z
      .object({
        mode: z.enum(['draft', 'off', 'send']).default('draft'),
        instructions: z.string().default(''),
        smtp: z
          .object({
            host: z.string(),
            port: z.number().int().default(587),
            secure: z.boolean().default(false),
            user: optionalSecret,
            password: optionalSecret,
          })
          .strict()
          .optional(),
        /** Send mode: answer a Reply-To on another domain than From's (by default such replies go to From). */
        send_to_reply_to: z.boolean().default(false),
        /** At most this many automatic sends to one recipient per day (send mode). */
        max_sends_per_recipient_per_day: z.number().int().min(1).default(3),
      })
      .strict()
      .prefault({}),
    api: z
      .object({
        enabled: z.boolean().default(true),
        listen: z.string().default('127.0.0.1:8025'),
        /**
         * Bearer tokens: a string, or {name, token} so corrections made through the API say who made
         * them (an unnamed token is called token-1, token-2 … by its place in the list).
         */
        tokens: z
          .array(
            z.union([
              z.string().min(16, 'expected a token of at least 16 characters'),
              z
                .object({
                  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, 'expected a short name of letters, digits, . _ @ or -'),
                  token: z.string().min(16, 'expected a token of at least 16 characters'),
                })
                .strict(),
            ]),
          )
          .default([])
          .transform((list) => list.map((t, i) => (typeof t === 'string' ? { name: `token-${i + 1}`, token: t } : t))),
        /** Public base URL; when set, events carry a signed raw_email_url. */
        public_url: z.string().url().optional(),
        /** Key that signs raw_email_url links: 32+ characters, or a guessable key would let anyone make links. */
        link_secret: optionalSecret.refine((v) => v === undefined || v.length >= 32, {
          message: 'expected at least 32 random characters (e.g. from `openssl rand -base64 32`); set it through "${MAILROOM_LINK_SECRET}"',
        }),
        raw_link_ttl: duration.default(7 * 86_400_000),
        /** The web console at / on this listener (sign-in with one of the tokens). */
        console: z
          .object({
            enabled: z.boolean().default(true),
            /** A console session ends this long after sign-in… */
            session_ttl: duration.default(12 * 3_600_000),
            /** …or after this long without a request. */
            idle_timeout: duration.default(3_600_000),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type MailboxConfig = Config['mailboxes'][number];
export type ShadowConfig = NonNullable<Config['classifier']['shadow']>;
