/**
 * Figure 7: the loop the seed guides write — fetch one message, ask the model, POST the result,
 * next — over the same backlog, the same Dovecot, fake model and receiver as Mailroom's drain.
 * No cleaning (the parsed text goes to the model whole), no pre-filters, no storage, no retries.
 */
import { simpleParser } from 'mailparser';
import OpenAI from 'openai';
import { startDovecot } from '../../test/support/dovecot.js';
import { startFakeOpenAIServer } from '../../test/support/fake-openai-server.js';
import { startWebhookReceiver } from '../../test/support/webhook-receiver.js';
import { appendAll } from '../support/append.js';
import { median, percentile } from '../support/stats.js';

export interface NaiveOptions {
  messages: readonly Buffer[];
  latencyMs: number;
}

export interface NaiveResult {
  messages: number;
  latencyMs: number;
  seconds: number;
  messagesPerS: number;
  modelCalls: number;
  /** Characters of the prompt per model request. */
  promptChars: { median: number; p95: number };
  /** All prompt characters sent ÷ messages in the backlog. */
  promptCharsPerBacklogMessage: number;
}

const SYSTEM = 'Classify this support email. Answer with JSON: {"intent","category","priority","summary","language","confidence"}.';

export async function runNaiveBaseline(options: NaiveOptions): Promise<NaiveResult> {
  const dovecot = await startDovecot();
  const llm = await startFakeOpenAIServer({ delayMs: options.latencyMs });
  const receiver = await startWebhookReceiver();
  try {
    await appendAll(dovecot, options.messages);
    const openai = new OpenAI({ baseURL: llm.url, apiKey: 'bench-not-a-key', maxRetries: 0 });
    const started = performance.now();
    const client = await dovecot.client(dovecot.users[0]!.user);
    const promptChars: number[] = [];
    try {
      await client.mailboxOpen('INBOX');
      const uids = (await client.search({ all: true }, { uid: true })) || [];
      for (const uid of uids) {
        const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
        if (message === false || !message.source) continue;
        const mail = await simpleParser(message.source);
        const prompt = `From: ${mail.from?.text ?? ''}\nSubject: ${mail.subject ?? ''}\n\n${mail.text ?? (typeof mail.html === 'string' ? mail.html : '')}`;
        promptChars.push(SYSTEM.length + prompt.length);
        const completion = await openai.chat.completions.create({
          model: 'bench-model',
          messages: [
            { role: 'system', content: SYSTEM },
            { role: 'user', content: prompt },
          ],
          response_format: { type: 'json_object' },
        });
        const classification = JSON.parse(completion.choices[0]?.message.content ?? '{}') as Record<string, unknown>;
        await fetch(receiver.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ message_id: mail.messageId ?? null, subject: mail.subject ?? '', ...classification }),
        }).then((response) => response.arrayBuffer());
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      messages: options.messages.length,
      latencyMs: options.latencyMs,
      seconds,
      messagesPerS: options.messages.length / seconds,
      modelCalls: llm.totalRequests,
      promptChars: { median: median(promptChars), p95: percentile(promptChars, 95) },
      promptCharsPerBacklogMessage: promptChars.reduce((a, b) => a + b, 0) / options.messages.length,
    };
  } finally {
    await receiver.close();
    await llm.close();
    await dovecot.stop();
  }
}
