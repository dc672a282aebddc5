import { type ChatRequestBody, plausibleClassification } from '../support/fake-openai-server.js';

/**
 * Fake-model behaviour for draft tests: a reply request (its system prompt asks for a reply
 * draft) is answered with text that echoes the requested language, so a test can see which
 * language was asked for; any other request gets the fake server's plausible classification.
 */
export function replyEchoResponder(body: ChatRequestBody): Record<string, unknown> | string {
  const system = body.messages.find((m) => m.role === 'system')?.content ?? '';
  const language = /ISO 639-1 code: ([a-z]{2})\)/.exec(system)?.[1];
  if (!system.startsWith('You write reply drafts') || !language) return plausibleClassification(body);
  return `[reply in ${language}] ${GREETINGS[language] ?? 'Hello'},\n\nthank you for your message about the subject.\n\nThe Acme team`;
}

const GREETINGS: Record<string, string> = { en: 'Hello', it: 'Buongiorno', de: 'Guten Tag', fr: 'Bonjour', es: 'Hola' };
