/**
 * classifier.shadow: off by default, the documented shapes parse, mistakes are named; the candidate
 * inherits the live settings it does not name, and the live API key never goes to a server it was
 * not configured for (checked on the Authorization header a fake server receives).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type LocalModelStore, withLocalModel } from '../../src/classify/index.js';
import { createOpenAIClassifier } from '../../src/classify/openai-classifier.js';
import { configSchema, parseConfigText } from '../../src/config/index.js';
import { parseEmail } from '../../src/parse/index.js';
import { candidateName, createShadowCandidate } from '../../src/shadow/index.js';
import { type FakeOpenAIServer, plausibleClassification, startFakeOpenAIServer } from '../support/fake-openai-server.js';
import { makeEml } from '../support/make-eml.js';

let liveServer: FakeOpenAIServer;
let otherServer: FakeOpenAIServer;
before(async () => {
  liveServer = await startFakeOpenAIServer({ logprobs: false, responder: plausibleClassification });
  otherServer = await startFakeOpenAIServer({ logprobs: false, responder: plausibleClassification });
});
after(async () => {
  await liveServer.close();
  await otherServer.close();
});

test('off by default; the README example parses; mistakes are named', () => {
  assert.equal(configSchema.parse({}).classifier.shadow, undefined);
  const config = parseConfigText(
    'classifier:\n  shadow:\n    kind: openai\n    name: mini-4.1\n    model: gpt-4.1-mini\n    base_url: ""\n    api_key: ${SHADOW_API_KEY:-}\n    extra_instructions: "Invoices from resellers are sales."\n    concurrency: 1\n',
    'test.yaml',
    {},
  );
  const shadow = config.classifier.shadow!;
  assert.equal(shadow.kind, 'openai');
  assert.equal(candidateName(shadow), 'mini-4.1');
  assert.equal(candidateName(configSchema.parse({ classifier: { shadow: { kind: 'openai', model: 'm2', instructions: 'x' } } }).classifier.shadow!), 'openai:m2+prompt');
  assert.equal(candidateName(configSchema.parse({ classifier: { shadow: { kind: 'local' } } }).classifier.shadow!), 'local');
  assert.throws(() => parseConfigText('classifier:\n  shadow:\n    kind: gemini\n', 'test.yaml', {}), /classifier\.shadow\.kind/);
  assert.throws(() => parseConfigText('classifier:\n  shadow:\n    kind: openai\n', 'test.yaml', {}), /classifier\.shadow\.model/);
  assert.throws(() => parseConfigText('classifier:\n  shadow:\n    kind: rules\n    model: x\n', 'test.yaml', {}), /unknown key "model"/);
});

test('the live key goes only to the live server; a candidate elsewhere without its own key sends none', async () => {
  const email = await parseEmail(makeEml({}), { maxCleanChars: 6000 });
  const ask = async (shadow: Record<string, unknown>) => {
    const config = configSchema.parse({
      classifier: { base_url: liveServer.url, api_key: 'sk-live-secret', model: 'live', examples: 0, max_retries: 0, shadow: { kind: 'openai', model: 'cand', ...shadow } },
    });
    const candidate = (await createShadowCandidate(config, { local: null, apiKeyFromEnv: '' }))!;
    const result = await candidate.classifier.classify({ email, mailbox: 'support' });
    await candidate.close();
    return result;
  };
  await ask({});
  assert.equal(liveServer.requests.at(-1)!.authorization, 'Bearer sk-live-secret', 'same server, another model: the live key');
  assert.equal(liveServer.requests.at(-1)!.body.model, 'cand');
  await ask({ base_url: otherServer.url });
  assert.equal(otherServer.requests.at(-1)!.authorization, 'Bearer not-needed', 'never the live key to another server');
  await ask({ base_url: otherServer.url, api_key: 'sk-candidate' });
  assert.equal(otherServer.requests.at(-1)!.authorization, 'Bearer sk-candidate');
  // The candidate's instructions reach its prompt; the live ones are kept before the extra ones.
  const config = configSchema.parse({
    classifier: { base_url: otherServer.url, instructions: 'Live words.', examples: 0, shadow: { kind: 'openai', model: 'cand', extra_instructions: 'Extra words.' } },
  });
  const candidate = (await createShadowCandidate(config, { local: null }))!;
  await candidate.classifier.classify({ email, mailbox: 'support' });
  const system = String(otherServer.requests.at(-1)!.body.messages[0]!.content);
  assert.match(system, /Live words\.\nExtra words\./);
  assert.equal(candidate.redact, null, 'a candidate on loopback reads the text as it is (redact: auto)');
});

test('the AI model with the local model beside it keeps its rate limiter reachable (the shadow worker yields to it)', () => {
  const config = configSchema.parse({ classifier: { base_url: liveServer.url, api_key: 'sk-live', examples: 0 } });
  const model = createOpenAIClassifier({ config: config.classifier });
  const store = { current: () => assert.fail('not classifying here') } as unknown as LocalModelStore;
  const wrapped = withLocalModel(model, { store, db: null, config: config.classifier });
  assert.equal((wrapped as { limiter?: unknown }).limiter, model.limiter);
});
