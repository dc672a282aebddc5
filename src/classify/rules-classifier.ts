import type { Category, Classification, Intent, Priority, Sentiment } from '../contract/index.js';
import type { ClassificationResult, Classifier, ClassifierInput } from './classifier.js';
import { detectLanguage } from './language.js';
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

const RULES_REVISION = 'rules-1';

export function createRulesClassifier(teams: string[]): Classifier {
  const promptVersion = `rules-${shortHash(JSON.stringify({ RULES_REVISION, INTENT_RULES, CATEGORY_RULES, URGENT_TERMS, HIGH_TERMS, PAYMENT_TERMS, LEGAL_TERMS, NEGATIVE_TERMS, POSITIVE_TERMS, LANGUAGE_DETECTOR: 'tinyld', teams }))}`;
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
        noTickets: 'the offline rules classifier cannot suggest tickets',
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
  const sentiment = sentimentOf(haystack);
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

/** Negative or positive when the text says so in words of the five languages; neutral otherwise. */
export function sentimentOf(text: string): Sentiment {
  const haystack = fold(text);
  return hasAny(haystack, NEGATIVE_TERMS) ? 'negative' : hasAny(haystack, POSITIVE_TERMS) ? 'positive' : 'neutral';
}

/** The first sentence of the text (or the subject), at most 160 characters: a summary no model wrote. */
export function summarise(subject: string, text: string): string {
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
