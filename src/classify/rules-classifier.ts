import type { Category, Classification, Intent, Priority, Sentiment } from '../contract/index.js';
import type { ClassificationResult, Classifier, ClassifierInput } from './classifier.js';
import { shortHash } from './prompt.js';

/**
 * Offline keyword baseline in en/it/de/fr/es. It needs no network and its confidence never
 * exceeds 0.5, below any sensible `policy.threshold`, so on its own it can never suggest a ticket:
 * it sorts mail for review and drafts until a model is configured.
 */
export const RULES_MAX_CONFIDENCE = 0.5;

// Each rule: terms matched on word boundaries (case- and accent-insensitive) in subject + text.
// Order matters: the first intent with a hit wins, so the narrow, unambiguous ones come first.
// biome-ignore format: a table of terms reads best as written
const INTENT_RULES: ReadonlyArray<{ intent: Intent; terms: string[] }> = [
  {
    intent: 'newsletter',
    terms: ['unsubscribe', 'newsletter', 'view in browser', 'disiscriviti', 'annulla iscrizione', 'abmelden', 'abbestellen', 'se desabonner', 'desinscription', 'darse de baja', 'cancelar suscripcion'],
  },
  {
    intent: 'job',
    terms: ['job application', 'application for the position', 'my cv', 'my resume', 'curriculum vitae', 'candidatura', 'posizione aperta', 'bewerbung', 'lebenslauf', 'candidature', 'mon cv', 'solicitud de empleo', 'mi cv', 'vacante'],
  },
  {
    intent: 'notification',
    terms: ['do not reply', 'automatically generated', 'this is an automated', 'non rispondere', 'automatisch erstellt', 'ne pas repondre', 'no responda', 'notification', 'benachrichtigung', 'notifica'],
  },
  {
    intent: 'spam',
    terms: ['viagra', 'casino', 'lottery', 'you have won', 'crypto investment', 'bitcoin opportunity', 'hai vinto', 'gewonnen', 'vous avez gagne', 'ha ganado'],
  },
  {
    intent: 'billing',
    terms: ['invoice', 'refund', 'receipt', 'billing', 'charged twice', 'payment failed', 'fattura', 'rimborso', 'pagamento', 'rechnung', 'ruckerstattung', 'zahlung', 'facture', 'remboursement', 'paiement', 'factura', 'reembolso', 'pago'],
  },
  {
    intent: 'sales',
    terms: ['price', 'pricing', 'quote', 'quotation', 'demo', 'purchase', 'licence', 'license', 'preventivo', 'prezzo', 'listino', 'angebot', 'preis', 'kostenvoranschlag', 'devis', 'tarif', 'prix', 'presupuesto', 'precio', 'cotizacion'],
  },
  {
    intent: 'partnership',
    terms: ['partnership', 'collaboration', 'reseller', 'affiliate', 'partnership proposal', 'collaborazione', 'partenariato', 'partnerschaft', 'zusammenarbeit', 'partenariat', 'colaboracion', 'asociacion'],
  },
  {
    intent: 'support',
    terms: [
      'error', 'bug', 'crash', 'broken', 'not working', "doesn't work", 'does not work', "can't log in", 'cannot log in', 'login', 'password', 'help', 'issue', 'problem',
      'errore', 'non funziona', 'non riesco', 'problema', 'aiuto', 'accesso',
      'fehler', 'funktioniert nicht', 'geht nicht', 'kann mich nicht', 'hilfe', 'anmeldung',
      'erreur', 'ne fonctionne pas', 'ne marche pas', 'je ne peux pas', 'aide', 'connexion',
      'no funciona', 'no puedo', 'ayuda', 'fallo',
    ],
  },
];

// biome-ignore format: a table of terms reads best as written
const CATEGORY_RULES: ReadonlyArray<{ category: Category; terms: string[] }> = [
  { category: 'outage', terms: ['down', 'outage', 'unreachable', 'offline', 'service unavailable', 'disservizio', 'irraggiungibile', 'ausfall', 'nicht erreichbar', 'panne', 'hors service', 'caida', 'caido', 'fuera de servicio'] },
  { category: 'account', terms: ['login', 'log in', 'password', 'account', 'sign in', '2fa', 'accesso', 'anmeldung', 'passwort', 'konto', 'connexion', 'mot de passe', 'compte', 'contrasena', 'cuenta', 'iniciar sesion'] },
  { category: 'bug', terms: ['error', 'bug', 'crash', 'broken', 'exception', 'errore', 'fehler', 'absturz', 'erreur', 'plantage', 'fallo'] },
  { category: 'feature_request', terms: ['feature request', 'would be nice', 'could you add', 'please add', 'sarebbe utile', 'potreste aggiungere', 'wunsch', 'funktion hinzufugen', 'suggestion', 'pourriez-vous ajouter', 'sugerencia', 'podrian anadir'] },
  { category: 'how_to', terms: ['how do i', 'how to', 'how can i', 'come faccio', 'come posso', 'wie kann ich', 'wie geht', 'comment faire', 'comment puis-je', 'como puedo', 'como hago'] },
];

// biome-ignore format: a table of terms reads best as written
const URGENT_TERMS = ['urgent', 'asap', 'immediately', 'emergency', 'critical', 'production down', 'urgente', 'subito', 'immediatamente', 'dringend', 'sofort', 'notfall', 'kritisch', 'immediatement', 'critique', 'urgencia', 'inmediatamente', 'critico'];
// biome-ignore format: a table of terms reads best as written
const HIGH_TERMS = ['important', 'as soon as possible', 'blocked', 'cannot work', 'importante', 'bloccato', 'wichtig', 'blockiert', 'bloque', 'bloqueado'];
// biome-ignore format: a table of terms reads best as written
const PAYMENT_TERMS = ['refund', 'chargeback', 'charged twice', 'overdue', 'rimborso', 'addebito', 'ruckerstattung', 'ruckbuchung', 'remboursement', 'impaye', 'reembolso', 'contracargo'];
// biome-ignore format: a table of terms reads best as written
const LEGAL_TERMS = ['lawyer', 'attorney', 'legal action', 'court', 'gdpr', 'subpoena', 'cease and desist', 'avvocato', 'tribunale', 'azione legale', 'anwalt', 'gericht', 'dsgvo', 'avocat', 'tribunal', 'rgpd', 'abogado', 'demanda judicial'];
// biome-ignore format: a table of terms reads best as written
const NEGATIVE_TERMS = ['angry', 'unacceptable', 'disappointed', 'terrible', 'worst', 'furious', 'inaccettabile', 'deluso', 'vergogna', 'inakzeptabel', 'enttauscht', 'inacceptable', 'decu', 'inaceptable', 'decepcionado'];
// biome-ignore format: a table of terms reads best as written
const POSITIVE_TERMS = ['thank you', 'thanks', 'great', 'love', 'grazie', 'ottimo', 'danke', 'super', 'merci', 'genial', 'gracias', 'excelente'];

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
const LANGUAGE_ORDER = ['en', 'it', 'de', 'fr', 'es'] as const;

const RULES_REVISION = 'rules-1';

export function createRulesClassifier(teams: string[]): Classifier {
  const promptVersion = `rules-${shortHash(JSON.stringify({ RULES_REVISION, INTENT_RULES, CATEGORY_RULES, URGENT_TERMS, HIGH_TERMS, PAYMENT_TERMS, LEGAL_TERMS, NEGATIVE_TERMS, POSITIVE_TERMS, STOP_WORDS, teams }))}`;
  return {
    name: 'rules',
    promptVersion,
    async classify(input: ClassifierInput): Promise<ClassificationResult> {
      const started = performance.now();
      return {
        classification: classifyByRules(input.email.subject, input.email.cleanText, teams),
        model: 'rules',
        classifier: 'rules',
        promptVersion,
        logprobConfidence: null,
        promptTokens: null,
        completionTokens: null,
        latencyMs: Math.round(performance.now() - started),
        mode: 'rules',
      };
    },
  };
}

export function classifyByRules(subject: string, text: string, teams: readonly string[] = []): Classification {
  const haystack = fold(`${subject}\n${text}`);
  const intentHit = INTENT_RULES.find((rule) => hasAny(haystack, rule.terms));
  const intent: Intent = intentHit?.intent ?? 'other';
  const category: Category = intent === 'support' ? (CATEGORY_RULES.find((rule) => hasAny(haystack, rule.terms))?.category ?? 'question') : 'other';
  const priority: Priority = hasAny(haystack, URGENT_TERMS) ? 'urgent' : hasAny(haystack, HIGH_TERMS) ? 'high' : 'normal';
  const negative = hasAny(haystack, NEGATIVE_TERMS);
  const sentiment: Sentiment = negative ? 'negative' : hasAny(haystack, POSITIVE_TERMS) ? 'positive' : 'neutral';
  const team = teams.find((name) => hasAny(haystack, [name])) ?? null;
  return {
    intent,
    category,
    priority,
    summary: summarise(subject, text),
    language: detectLanguage(`${subject}\n${text}`),
    flags: { payment: hasAny(haystack, PAYMENT_TERMS), legal: hasAny(haystack, LEGAL_TERMS) },
    sentiment,
    team,
    // A keyword hit is a hint, never certainty: 0.5 at most, whatever matched.
    confidence: intentHit ? RULES_MAX_CONFIDENCE : 0.2,
  };
}

/** ISO 639-1 code among en/it/de/fr/es by counting each language's stop words; `en` when nothing counts. */
export function detectLanguage(text: string): string {
  const words = text.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const scores = new Map<string, number>(LANGUAGE_ORDER.map((lang) => [lang, 0]));
  for (const word of words.slice(0, 400)) {
    for (const lang of LANGUAGE_ORDER) {
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
  for (const lang of LANGUAGE_ORDER) {
    const score = scores.get(lang)!;
    if (score > bestScore) {
      best = lang;
      bestScore = score;
    }
  }
  return best;
}

function summarise(subject: string, text: string): string {
  const source = text.trim() || subject.trim() || '(empty message)';
  const flat = source.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.!?])(\s|$)/u.exec(flat)?.[1] ?? flat;
  return sentence.length > 160 ? `${sentence.slice(0, 159).trimEnd()}…` : sentence;
}

/** Lower case without accents, so `Rückerstattung` matches `ruckerstattung` and `sesión` matches `sesion`. */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const termPatterns = new Map<string, RegExp>();

function hasAny(haystack: string, terms: readonly string[]): boolean {
  return terms.some((term) => {
    let pattern = termPatterns.get(term);
    if (!pattern) {
      const escaped = fold(term).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u');
      termPatterns.set(term, pattern);
    }
    return pattern.test(haystack);
  });
}
