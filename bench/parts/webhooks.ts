/**
 * Figure 4: deliveries per second to a healthy receiver while a second subscription's endpoint
 * hangs — measured by bench/webhooks-throughput.ts (the webhooks issue's own bench), run as a child
 * process and read from its JSON line, so both report the same figure the same way.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PROJECT_ROOT } from '../support/mailroom-process.js';
import type { DatabaseKind } from '../support/scenario.js';

const SCRIPT = fileURLToPath(new URL('../webhooks-throughput.ts', import.meta.url));

export interface WebhooksResult {
  database: string;
  events: number;
  concurrency: number;
  timeout: string;
  enqueue_per_s: number;
  healthy_deliveries_per_s: number;
  healthy_seconds: number;
  dead_requests_in_flight: number;
  unverified: number;
  duplicates: number;
}

export function runWebhooksThroughput(options: { events: number; database: DatabaseKind }): Promise<WebhooksResult> {
  const args = ['--import', 'tsx', SCRIPT, String(options.events), ...(options.database === 'pglite' ? ['--pglite'] : [])];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) return reject(new Error(`bench/webhooks-throughput.ts exited with ${code}: ${stderr.slice(-2000)}${stdout.slice(-1000)}`));
      resolve(JSON.parse(line) as WebhooksResult);
    });
  });
}
