/**
 * Throughput of the openai classifier against a server that answers every request in 500 ms:
 * 200 emails at concurrency 4, 8 and 16, compared with the ideal 200 × 0.5 s / concurrency.
 * Run: npx tsx bench/classifier-throughput.ts [count] [latencyMs] [concurrency...]
 */

import { createOpenAIClassifier } from '../src/classify/openai-classifier.js';
import { configSchema } from '../src/config/index.js';
import type { ParsedEmail } from '../src/parse/parsed-email.js';
import { startFakeOpenAIServer } from '../test/support/fake-openai-server.js';

const [countArg, latencyArg, ...concurrencyArgs] = process.argv.slice(2);
const count = Number(countArg ?? 200);
const latencyMs = Number(latencyArg ?? 500);
const levels = concurrencyArgs.length > 0 ? concurrencyArgs.map(Number) : [4, 8, 16];

function email(i: number): ParsedEmail {
  const text = `Hello, since this morning the login shows error ${i} after I enter my password. Can you help?`;
  return {
    messageId: `<bench-${i}@example.com>`,
    inReplyTo: null,
    references: [],
    from: { address: `user${i}@example.com`, name: '' },
    replyTo: null,
    to: [],
    cc: [],
    subject: `Login error ${i}`,
    date: new Date(0),
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
  };
}

const server = await startFakeOpenAIServer({ delayMs: latencyMs });
try {
  console.log(`${count} emails, server latency ${latencyMs} ms`);
  console.log('concurrency  elapsed_s  ideal_s  msgs_per_s  ideal_msgs_per_s  efficiency  max_in_flight');
  for (const concurrency of levels) {
    server.resetCounters();
    const config = configSchema.parse({ classifier: { base_url: server.url, api_key: 'bench', concurrency } }).classifier;
    const classifier = createOpenAIClassifier({ config });
    const started = performance.now();
    await Promise.all(Array.from({ length: count }, (_, i) => classifier.classify({ email: email(i), mailbox: 'support' })));
    const elapsed = (performance.now() - started) / 1000;
    const ideal = (count * latencyMs) / 1000 / concurrency;
    console.log(
      [
        String(concurrency).padStart(11),
        elapsed.toFixed(2).padStart(9),
        ideal.toFixed(2).padStart(7),
        (count / elapsed).toFixed(2).padStart(10),
        (count / ideal).toFixed(2).padStart(16),
        `${((ideal / elapsed) * 100).toFixed(1)}%`.padStart(10),
        String(server.maxInFlight).padStart(13),
      ].join('  '),
    );
  }
} finally {
  await server.close();
}
