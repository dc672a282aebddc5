import { sql } from 'kysely';
import { DEFAULT_BASE_URL } from '../classify/index.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import type { IngestSummary, MailboxStatus } from '../ingest/index.js';
import { type Clock, systemClock } from '../util/clock.js';
import type { Logger } from '../util/logger.js';

/** What GET /ready reports. `ready` is true only when every part is. */
export interface ReadinessReport {
  ready: boolean;
  database: { ok: boolean; error: string | null };
  mailboxes: Array<{
    name: string;
    ok: boolean;
    state: string;
    /** When the current state began (connected since, or trying since). */
    since: string;
    /** The folder watched, as the server names it. */
    folder: string;
    /** push: IDLE announces new mail; poll: a NOOP every ingest.idle_poll makes a lazy server tell. */
    idle: 'push' | 'poll';
    /** Seconds spent trying to connect, while not connected; null when connected or standing by. */
    trying_for_seconds: number | null;
    error: string | null;
  }>;
  /** How many mailboxes this process watches, how many other processes watch, and why the rest wait. */
  ingest?: IngestSummary | null;
  llm: { ok: boolean; kind: 'openai' | 'rules'; checked_at: string | null; error: string | null };
}

export interface LlmProbe {
  kind: 'openai' | 'rules';
  /** Resolves when the endpoint answers; rejects with a message saying what is wrong. */
  probe(): Promise<void>;
}

export interface ReadinessSources {
  db: Db;
  /** The watchers' `status()`; omitted or empty when no mailbox is configured. */
  mailboxes?: () => MailboxStatus[];
  /** The watchers' `summary()`. */
  ingest?: () => IngestSummary;
  llm?: LlmProbe;
  /** What the pipeline last saw of the model (a postponed email, a classification): newer news than a cached probe. */
  observedLlm?: () => { ok: boolean; error: string | null; checkedAt: Date } | null;
  clock?: Clock;
  /** Told once when a part's state changes (not on every probe). */
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** How long a probe's answer counts (GET /models is free, but /ready may be polled often). Default 5 s. */
  llmCacheMs?: number;
  /** Bound on the database query. Default 3 s. */
  databaseTimeoutMs?: number;
}

/**
 * A mailbox that another process is watching is fine: the lease means someone has it. One being
 * handed over is still watched until its sweep ends.
 */
const HEALTHY_STATES = new Set(['connected', 'standby', 'releasing']);

/**
 * Builds the readiness callback `createApiServer` takes. The LLM is probed at most once per
 * `llmCacheMs`, and concurrent calls share one probe.
 */
export function createReadiness(sources: ReadinessSources): () => Promise<ReadinessReport> {
  const clock = sources.clock ?? systemClock;
  const cacheMs = sources.llmCacheMs ?? 5000;
  const logged = new Map<string, string>();
  /** One line per change of a part's state or cause, so a poller hitting /ready every second logs nothing new. */
  const logChange = (part: string, ok: boolean, error: string | null) => {
    const key = ok ? 'ok' : `failing: ${error ?? 'unknown cause'}`;
    const before = logged.get(part);
    if (before === key) return;
    logged.set(part, key);
    if (!ok) sources.logger?.warn({ part }, `not ready: ${part}: ${error ?? 'unknown cause'}`);
    else if (before !== undefined) sources.logger?.info({ part }, `ready again: ${part}`);
  };
  let llmResult: { at: Date; error: string | null } | null = null;
  let llmProbe: Promise<void> | null = null;

  const probeLlm = async (): Promise<ReadinessReport['llm']> => {
    const llm = sources.llm;
    if (!llm || llm.kind === 'rules') return { ok: true, kind: 'rules', checked_at: null, error: null };
    const now = clock.now();
    if (!llmResult || now.getTime() - llmResult.at.getTime() >= cacheMs) {
      llmProbe ??= llm
        .probe()
        .then(
          () => {
            llmResult = { at: clock.now(), error: null };
          },
          (error: unknown) => {
            llmResult = { at: clock.now(), error: error instanceof Error ? error.message : String(error) };
          },
        )
        .finally(() => (llmProbe = null));
      await llmProbe;
    }
    const result = llmResult!;
    const seen = sources.observedLlm?.();
    if (seen && seen.checkedAt.getTime() > result.at.getTime()) return { ok: seen.ok, kind: 'openai', checked_at: seen.checkedAt.toISOString(), error: seen.error };
    return { ok: result.error === null, kind: 'openai', checked_at: result.at.toISOString(), error: result.error };
  };

  const checkDatabase = async (): Promise<ReadinessReport['database']> => {
    const timeoutMs = sources.databaseTimeoutMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        sql`select 1`.execute(sources.db),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, error: null };
    } catch (error) {
      return { ok: false, error: `database unreachable: ${(error as Error).message}` };
    } finally {
      clearTimeout(timer);
    }
  };

  return async () => {
    const now = clock.now();
    const [database, llm] = await Promise.all([checkDatabase(), probeLlm()]);
    const mailboxes = (sources.mailboxes?.() ?? []).map((m) => {
      const ok = HEALTHY_STATES.has(m.state);
      const trying = m.state === 'connecting' || m.state === 'reconnecting' || m.state === 'starting' || m.state === 'waiting';
      return {
        name: m.mailbox,
        ok,
        state: m.state,
        since: m.since.toISOString(),
        folder: m.folder,
        idle: m.idle,
        trying_for_seconds: trying ? Math.max(0, Math.round((now.getTime() - m.since.getTime()) / 1000)) : null,
        error: ok ? null : m.lastError,
      };
    });
    logChange('database', database.ok, database.error);
    logChange('llm', llm.ok, llm.error);
    for (const m of mailboxes) logChange(`mailbox ${m.name}`, m.ok, m.error ?? m.state);
    return { ready: database.ok && llm.ok && mailboxes.every((m) => m.ok), database, mailboxes, ingest: sources.ingest?.() ?? null, llm };
  };
}

/** The model endpoint the classifier will use, resolved the way `createClassifier` resolves it. */
export interface LlmEndpoint {
  kind: 'openai' | 'rules';
  baseUrl: string;
  model: string;
  /** Null when the server is expected to need no key (a local base_url without one). */
  apiKey: string | null;
}

export function resolveLlmEndpoint(config: Config['classifier'], env: NodeJS.ProcessEnv = process.env): LlmEndpoint {
  const apiKey = nonEmpty(config.api_key) ?? nonEmpty(env.OPENAI_API_KEY) ?? null;
  const baseUrl = (config.base_url ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const rules = config.provider === 'rules' || (config.provider === 'auto' && !apiKey && !config.base_url);
  return { kind: rules ? 'rules' : 'openai', baseUrl, model: config.model, apiKey };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}

/**
 * A free reachability probe for /ready: GET {base}/models costs no tokens. Any answer except an
 * authentication refusal or a server error counts (some local servers have no /models route).
 */
export function llmProbe(endpoint: LlmEndpoint, options: { timeoutMs?: number; fetch?: typeof fetch } = {}): LlmProbe {
  const doFetch = options.fetch ?? fetch;
  return {
    kind: endpoint.kind,
    async probe() {
      if (endpoint.kind === 'rules') return;
      let response: Response;
      try {
        response = await doFetch(`${endpoint.baseUrl}/models`, {
          headers: endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {},
          signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
        });
        await response.body?.cancel();
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new Error(`LLM endpoint ${endpoint.baseUrl} unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
      }
      if (response.status === 401 || response.status === 403) throw new Error(`LLM endpoint ${endpoint.baseUrl} refused the API key (HTTP ${response.status})`);
      if (response.status >= 500) throw new Error(`LLM endpoint ${endpoint.baseUrl} answered HTTP ${response.status}`);
    },
  };
}
