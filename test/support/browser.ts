/**
 * Debian's chromium, headless, driven by playwright-core with its executable path (no browser
 * download). Outside CI a machine without chromium skips the browser tests with a message; in CI
 * (which installs it) its absence is a failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export function chromiumPath(): string | null {
  const candidates = [process.env.MAILROOM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  for (const path of candidates) if (existsSync(path)) return path;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** The reason to skip, or false; throws in CI when chromium is missing. */
export function browserSkip(): string | false {
  if (chromiumPath()) return false;
  const reason = 'chromium not installed (apt-get install chromium); browser tests skipped';
  if (process.env.CI === 'true') throw new Error(`${reason} — CI must install it (.ci/run does)`);
  return reason;
}

export async function launchChromium(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('chromium not found');
  // --no-sandbox: CI runs as root, where chromium refuses its sandbox.
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 60_000 });
}

/** The folder screenshots go to, created and printed once. */
export function screenshotFolder(name: string): string {
  const folder = join(tmpdir(), 'mailroom-test-output', name);
  mkdirSync(folder, { recursive: true });
  return folder;
}
