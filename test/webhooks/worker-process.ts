/**
 * A delivery process for the multi-process tests, run with tsx by the test:
 *   MAILROOM_TEST_DB_URL=postgres://… WORKER_MODE=worker|once WORKER_WEBHOOKS='{"timeout":"2s"}' tsx worker-process.ts
 * Prints "ready <worker id>" once it is claiming; in worker mode, SIGTERM stops it cleanly.
 */
import { openDatabase } from '../../src/db/open-database.js';
import { newWorkerId } from '../../src/queue/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { deliverDueNow, startDeliveryWorker } from '../../src/webhooks/index.js';
import { secretBox, testConfig } from './fixtures.js';

const url = process.env.MAILROOM_TEST_DB_URL;
if (!url) throw new Error('MAILROOM_TEST_DB_URL is not set');
const db = await openDatabase({ url, path: '', pool_size: 4 });
const config = testConfig(JSON.parse(process.env.WORKER_WEBHOOKS ?? '{}'));
const workerId = `test-${newWorkerId()}`;
const ctx = { db, config, logger: silentLogger(), secretBox, workerId };

if (process.env.WORKER_MODE === 'once') {
  process.stdout.write(`ready ${workerId}\n`);
  const result = await deliverDueNow(ctx);
  process.stdout.write(`done ${JSON.stringify(result)}\n`);
  await db.destroy();
} else {
  const worker = startDeliveryWorker(ctx);
  process.stdout.write(`ready ${workerId}\n`);
  process.on('SIGTERM', () => {
    void worker
      .stop()
      .then(() => db.destroy())
      .then(() => process.exit(0));
  });
}
