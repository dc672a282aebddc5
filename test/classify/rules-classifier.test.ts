import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { detectLanguage } from '../../src/classify/language.js';
import { classifyByRules, createRulesClassifier, RULES_MAX_CONFIDENCE } from '../../src/classify/rules-classifier.js';
import { classificationSchema } from '../../src/contract/index.js';
import { input } from './fixtures.js';

test('the rules classifier reports itself as rules and validates against the schema', async () => {
  const classifier = createRulesClassifier(['backend']);
  const result = await classifier.classify(input());
  assert.equal(result.model, 'rules');
  assert.equal(result.mode, 'rules');
  assert.equal(result.classifier, 'rules');
  assert.equal(result.logprobConfidence, null);
  assert.equal(result.promptVersion, classifier.promptVersion);
  assert.match(classifier.promptVersion, /^rules-[0-9a-f]{16}$/);
  classificationSchema(['backend']).parse(result.classification);
});

test('language of short texts in the five languages', () => {
  const cases: Array<[string, string]> = [
    ['The login does not work, please help', 'en'],
    ['Non funziona il login, grazie', 'it'],
    ['Das Login funktioniert nicht', 'de'],
    ['Le login ne fonctionne pas', 'fr'],
    ['El inicio de sesión no funciona', 'es'],
    ['Ich kann mich nicht anmelden', 'de'],
    ['Bonjour, je ne peux pas me connecter', 'fr'],
    ['Hola, no puedo entrar en mi cuenta', 'es'],
    ['Buongiorno, non riesco ad accedere', 'it'],
    ['Hi, I cannot log in', 'en'],
  ];
  for (const [text, expected] of cases) assert.equal(detectLanguage(text), expected, text);
});

test('intents from keywords in several languages', () => {
  const cases: Array<[string, string, string]> = [
    ['Login', 'Non funziona il login da stamattina', 'support'],
    ['Fehler', 'Die App funktioniert nicht mehr', 'support'],
    ['Problème', "L'application ne fonctionne pas", 'support'],
    ['Ayuda', 'La aplicación no funciona', 'support'],
    ['Quote request', 'Could you send me a quote for 50 licences?', 'sales'],
    ['Fattura', 'Vi scrivo per la fattura di ottobre', 'billing'],
    ['Weekly digest', 'Our newsletter. Click here to unsubscribe.', 'newsletter'],
    ['Job application', 'Please find attached my CV for the developer role.', 'job'],
    ['Hello', 'Just saying hi.', 'other'],
  ];
  for (const [subject, text, intent] of cases) assert.equal(classifyByRules(subject, text).intent, intent, `${subject}: ${text}`);
});

test('priority, flags, category, summary and team from simple terms', () => {
  const c = classifyByRules('URGENT: login', 'Our lawyer will contact you. We want a refund! The login page shows an error. More text follows here.', ['backend', 'login']);
  assert.equal(c.priority, 'urgent');
  assert.deepEqual(c.flags, { payment: true, legal: true });
  assert.equal(c.summary, 'Our lawyer will contact you.');
  assert.equal(c.team, 'login');
  const long = classifyByRules('x', 'a'.repeat(400));
  assert.ok(long.summary.length <= 160);
  assert.equal(classifyByRules('', '').summary, '(empty message)');
});

test('confidence never exceeds 0.5', () => {
  const loud = 'error bug crash broken not working urgent help login password invoice refund lawyer non funziona funktioniert nicht';
  assert.ok(classifyByRules(loud, loud.repeat(20)).confidence <= RULES_MAX_CONFIDENCE);
  assert.ok(classifyByRules('', '').confidence <= RULES_MAX_CONFIDENCE);
});

test('on every corpus message the rules classifier stays valid and at or below 0.5', (t) => {
  const root = fileURLToPath(new URL('../../../shared/corpus/raw', import.meta.url));
  if (!existsSync(root)) {
    t.skip(`corpus not found at ${root}; skipping the corpus sweep`);
    return;
  }
  const schema = classificationSchema([]);
  let count = 0;
  for (const dir of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    for (const file of readdirSync(join(root, dir.name)).filter((f) => f.endsWith('.eml'))) {
      // Raw bytes as text: crude, but the invariant must hold for any input whatsoever.
      const text = readFileSync(join(root, dir.name, file))
        .subarray(0, 20_000)
        .toString('latin1');
      const c = classifyByRules('', text);
      schema.parse(c);
      assert.ok(c.confidence <= RULES_MAX_CONFIDENCE);
      count++;
    }
  }
  assert.ok(count > 1000, `only ${count} corpus files`);
});
