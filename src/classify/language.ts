import { detectAll } from 'tinyld';

/** The languages Mailroom has cleaning rules, acknowledgements and seed examples for. */
export const LANGUAGES = ['en', 'it', 'de', 'fr', 'es'] as const;

/**
 * ISO 639-1 code of the text among the five languages (tinyld, restricted to them, about 1 ms), or
 * `fallback` when the text says too little. Used when no model
 * gives a language, and for the acknowledgement's language.
 */
export function detectLanguage(text: string, fallback = 'en'): string {
  const sample = text.slice(0, 2000);
  if (sample.trim().length < 3) return fallback;
  const [best] = detectAll(sample, { only: [...LANGUAGES] });
  if (best && best.accuracy >= 0.5) return best.lang;
  // A few words give tinyld little to go on ("Hi, I cannot log in" reads as Italian to it); the
  // short, frequent words only one of the five languages uses settle such texts.
  const words = byStopWords(sample);
  if (words.score > 0) return words.lang;
  return best && best.accuracy >= 0.1 ? best.lang : fallback;
}

// Short, frequent words that mostly belong to one language. Words shared by two languages
// (de, la, no, non, con, per…) are left out so a short text is not pulled the wrong way.
// biome-ignore format: a table of terms reads best as written
const STOP_WORDS: Record<string, string[]> = {
  en: ['the', 'and', 'is', 'are', 'not', 'my', 'you', 'your', 'with', 'this', 'that', 'have', 'does', "doesn't", 'can', "can't", 'cannot', 'please', 'hello', 'hi', 'to', 'of', 'it', 'we', 'our', 'work', 'works', 'from', 'for'],
  it: ['il', 'lo', 'gli', 'della', 'delle', 'che', 'sono', 'non', 'funziona', 'mio', 'mia', 'grazie', 'buongiorno', 'salve', 'ciao', 'riesco', 'anche', 'perché', 'perche', 'questo', 'questa', 'ho', 'è', 'di', 'alla', 'nel', 'più'],
  de: ['der', 'die', 'das', 'und', 'ist', 'nicht', 'ich', 'mein', 'meine', 'sie', 'wir', 'funktioniert', 'bitte', 'danke', 'hallo', 'mit', 'auf', 'kann', 'ein', 'eine', 'zu', 'sich', 'geht', 'für', 'guten'],
  fr: ['le', 'les', 'des', 'est', 'pas', 'je', 'mon', 'vous', 'nous', 'fonctionne', 'merci', 'bonjour', 'avec', 'pour', 'une', 'sur', 'au', 'aux', 'mais', 'ça', 'suis', 'marche', 'peux'],
  es: ['el', 'los', 'las', 'del', 'está', 'funciona', 'usted', 'nosotros', 'gracias', 'hola', 'para', 'pero', 'puedo', 'también', 'tambien', 'soy', 'muy', 'y', 'sesión', 'iniciar', 'cuenta', 'mañana'],
};

function byStopWords(text: string): { lang: string; score: number } {
  const words = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const scores = new Map<string, number>(LANGUAGES.map((lang) => [lang, 0]));
  for (const word of words.slice(0, 400)) {
    for (const lang of LANGUAGES) {
      if (STOP_WORDS[lang]!.includes(word)) scores.set(lang, scores.get(lang)! + 1);
    }
  }
  // Letters only one of the five languages uses settle short texts the stop words leave tied.
  const lower = text.toLowerCase();
  if (/[ñ¿¡]/.test(lower)) scores.set('es', scores.get('es')! + 2);
  if (/[ß]|\b\w*[äöü]\w*\b/u.test(lower)) scores.set('de', scores.get('de')! + 1);
  if (/[çœêû]/.test(lower)) scores.set('fr', scores.get('fr')! + 1);
  let best = 'en';
  let bestScore = 0;
  for (const lang of LANGUAGES) {
    const score = scores.get(lang)!;
    if (score > bestScore) {
      best = lang;
      bestScore = score;
    }
  }
  return { lang: best, score: bestScore };
}
