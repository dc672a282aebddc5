import type { ClassifierInput } from '../../src/classify/classifier.js';
import type { Timer } from '../../src/classify/retry.js';
import type { Config } from '../../src/config/index.js';
import { configSchema } from '../../src/config/index.js';
import type { ParsedEmail } from '../../src/parse/parsed-email.js';

export function classifierConfig(overrides: Record<string, unknown> = {}): Config['classifier'] {
  return configSchema.parse({ classifier: { api_key: 'sk-test-key', ...overrides } }).classifier;
}

export function email(overrides: Partial<ParsedEmail> = {}): ParsedEmail {
  const text = overrides.cleanText ?? 'Hello, the login does not work since this morning: error 500 after I enter my password.';
  return {
    messageId: '<test-1@example.com>',
    inReplyTo: null,
    references: [],
    from: { address: 'maria@azienda.example', name: 'Maria Rossi' },
    replyTo: null,
    to: [{ address: 'support@mailroom.example', name: '' }],
    cc: [],
    subject: 'Login broken',
    date: new Date('2026-11-23T09:13:58.000Z'),
    headers: {},
    contentType: 'text/plain',
    reportType: null,
    attachments: [],
    fullText: text,
    hiddenText: '',
    newestText: text,
    cleanText: text,
    rawChars: text.length,
    cleanChars: text.length,
    truncated: false,
    ...overrides,
  };
}

export function input(overrides: Partial<ParsedEmail> = {}, mailbox = 'support'): ClassifierInput {
  return { email: email(overrides), mailbox };
}

/** Records every wait the code asks for and returns at once, so retry schedules cost no time. */
export function recordingTimer(onSleep?: (ms: number, index: number) => void | Promise<void>): Timer & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => performance.now(),
    async sleep(ms: number, signal?: AbortSignal) {
      signal?.throwIfAborted();
      waits.push(ms);
      await onSleep?.(ms, waits.length - 1);
    },
  };
}

/**
 * Virtual time: sleepers wake in time order, and time only moves when nothing else can run.
 * `run(promise)` drives the clock until the promise settles.
 */
export function virtualTimer(): Timer & { run<T>(work: Promise<T>): Promise<T> } {
  let now = 0;
  let seq = 0;
  const sleepers: Array<{ at: number; seq: number; resolve: () => void }> = [];
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
  };
  return {
    now: () => now,
    sleep(ms: number, signal?: AbortSignal) {
      signal?.throwIfAborted();
      return new Promise<void>((resolve) => sleepers.push({ at: now + Math.max(0, ms), seq: seq++, resolve }));
    },
    async run<T>(work: Promise<T>): Promise<T> {
      let finished = false;
      const tracked = work.finally(() => {
        finished = true;
      });
      tracked.catch(() => {});
      for (let steps = 0; steps < 100_000; steps++) {
        await settle();
        if (finished) return tracked;
        if (sleepers.length === 0) throw new Error('virtual timer: work is stuck with no sleeper to wake');
        sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = sleepers.shift()!;
        now = Math.max(now, next.at);
        next.resolve();
      }
      throw new Error('virtual timer: too many steps');
    },
  };
}
