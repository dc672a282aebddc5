import type { PrivateDovecot } from '../../test/support/dovecot.js';

/** APPENDs every message (bytes as they are) over `connections` parallel IMAP sessions. */
export async function appendAll(dovecot: PrivateDovecot, messages: readonly Buffer[], options: { user?: string; folder?: string; connections?: number } = {}): Promise<void> {
  const user = options.user ?? dovecot.users[0]!.user;
  const clients = await Promise.all(Array.from({ length: options.connections ?? 4 }, () => dovecot.client(user)));
  let next = 0;
  try {
    await Promise.all(
      clients.map(async (client) => {
        while (next < messages.length) await client.append(options.folder ?? 'INBOX', messages[next++]!);
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.logout().catch(() => c.close())));
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it returns a truthy value; throws `describe()` after the deadline. */
export async function waitUntil<T>(check: () => T | Promise<T>, timeoutMs: number, describe: () => string, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s: ${describe()}`);
    await sleep(everyMs);
  }
}

/** `promise`, or a rejection with `message()` after `ms` (the timer is cleared either way). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message())), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
