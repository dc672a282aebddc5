/**
 * A test or bench process that dies of an uncaught error takes its children with it: a Dovecot
 * (a detached process group) and a plain child are both gone once it exited.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const REAPER = fileURLToPath(new URL('./reap-on-exit.ts', import.meta.url));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('children registered with reapOnExit are killed when their parent dies of an uncaught error', { timeout: 60_000 }, async () => {
  // The parent starts a detached group (a shell with a child of its own, like Dovecot's master and
  // its imap processes) and a plain child, prints their pids, then throws.
  const script = `
    import { spawn } from 'node:child_process';
    import { reapOnExit } from ${JSON.stringify(REAPER)};
    const group = spawn('sh', ['-c', 'sleep 120 & echo $!; wait'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    group.unref();
    reapOnExit(group, { group: true });
    const plain = spawn('sleep', ['120'], { stdio: 'ignore' });
    reapOnExit(plain);
    group.stdout.once('data', (d) => {
      console.log(JSON.stringify({ group: group.pid, grandchild: Number(String(d).trim()), plain: plain.pid }));
      throw new Error('the test dies here');
    });
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(parent, 'exit')) as [number | null];
  assert.notEqual(code, 0, 'the parent died of its error');
  const pids = JSON.parse(out.trim()) as { group: number; grandchild: number; plain: number };
  // SIGKILL is delivered at once, but the kernel may take a moment to reap.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && Object.values(pids).some(alive)) await new Promise((r) => setTimeout(r, 50));
  for (const [which, pid] of Object.entries(pids)) assert.equal(alive(pid), false, `${which} (pid ${pid}) outlived its parent`);
});
