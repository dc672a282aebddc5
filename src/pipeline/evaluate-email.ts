import { ClassificationFailedError, type ClassificationResult, decisionConfidence } from '../classify/index.js';
import type { PiiKind, PrefilterHit } from '../contract/index.js';
import { type ClassificationOutcome, type Decision, type DetectorResult, decide, detectFlags, isVip, type PolicySettings, warmDetectors } from '../decide/index.js';
import { type ParsedEmail, parseEmail } from '../parse/index.js';
import { isReplyableSender, runPrefilters } from '../prefilter/index.js';
import { type EmailPii, examineEmail, kindsOf, PII_KINDS, warmPii } from '../redact/index.js';
import { inTurn, nextTurn, settled } from '../util/wait.js';

/** Who classified, as the reasons name it. */
const CLASSIFIER_WORDS: Record<ClassificationResult['classifier'], string> = { openai: 'the AI model', rules: 'the offline rules classifier', local: 'the local model' };

export interface EvaluationContext {
  /** The mailbox's own addresses (loop guard). */
  ownAddresses: string[];
  sizeBytes: number;
  maxMessageBytes: number;
  policy: PolicySettings;
  /** Kinds of personal data replaced before the model sees the email (classifier.redact); null or absent: none. */
  redact?: ReadonlySet<PiiKind> | null;
  /**
   * Classifies the email, given its redacted view when there is one (what a hosted model is
   * shown); rejects with ClassifierUnavailableError when the model cannot be reached.
   */
  classify: (email: ParsedEmail, redacted: ParsedEmail | null) => Promise<ClassificationResult>;
}

export interface Evaluation {
  prefilter: PrefilterHit | null;
  /** Null when a pre-filter decided without the model, or when classification failed. */
  classification: ClassificationResult | null;
  /** Set when the model answered but never validly. */
  classificationError: ClassificationFailedError | null;
  detectors: DetectorResult;
  decision: Decision;
  /** The personal data found and the view the model was shown; null when a pre-filter decided or the message was unreadable. */
  pii: EmailPii | null;
}

/**
 * The whole decision for one parsed email, without storage: pre-filters, the model (only when no
 * pre-filter decided), the deterministic detectors and the pure policy. A ClassifierUnavailableError
 * propagates: the caller keeps the email waiting rather than deciding without the model.
 */
export async function evaluateEmail(email: ParsedEmail, ctx: EvaluationContext): Promise<Evaluation> {
  const prefilter = runPrefilters(email, { ownAddresses: ctx.ownAddresses, sizeBytes: ctx.sizeBytes, maxMessageBytes: ctx.maxMessageBytes });
  // Looked for only when the model is asked; the detectors and the decision read the original text.
  const pii = prefilter ? null : examineEmail(email, { redact: ctx.redact ?? null });
  // The model is asked before the detectors run: they need no answer of it, and run while the request
  // is out instead of before it leaves (the first emails of a backlog pay most for them). Each email's
  // detectors take a turn of their own, so the I/O a request waits for before it leaves (the cache
  // lookup, a connection to the model) is served between them, not after a whole chunk's detectors.
  const answer = prefilter ? null : settled(ctx.classify(email, pii?.view ?? null));
  const input = { subject: email.subject, text: email.newestText, hiddenText: email.hiddenText, attachments: email.attachments.map((a) => a.filename) };
  const detectors = answer === null ? detectFlags(input) : await inTurn(() => detectFlags(input));
  const outcome = answer === null ? null : await answer;
  let classification: ClassificationResult | null = null;
  let classificationError: ClassificationFailedError | null = null;
  if (outcome && 'error' in outcome) {
    if (!(outcome.error instanceof ClassificationFailedError)) throw outcome.error;
    classificationError = outcome.error;
  } else if (outcome) classification = outcome.result;
  const decision = decide({
    prefilter,
    classification: outcomeOf(classification, classificationError),
    detectors,
    facts: {
      fromAddress: email.from?.address || null,
      vip: isVip(email.from?.address ?? null, ctx.policy.vip),
      replyable: isReplyableSender(email, ctx.ownAddresses),
      pii: pii ? kindsOf(pii.found) : [],
    },
    policy: ctx.policy,
  });
  return { prefilter, classification, classificationError, detectors, decision, pii };
}

function outcomeOf(result: ClassificationResult | null, error: ClassificationFailedError | null): ClassificationOutcome | null {
  if (error) return { ok: false, error: error.message };
  if (!result) return null;
  return {
    ok: true,
    classification: result.classification,
    confidence: decisionConfidence(result),
    by: CLASSIFIER_WORDS[result.classifier],
    noTickets: result.noTickets ?? null,
    ...(result.secondOpinion ? { secondOpinion: result.secondOpinion } : {}),
  };
}

/**
 * The decision for a message the parser refused (broken MIME, thousands of parts, not mail at all):
 * a person looks at it, told why. Nothing is classified, no flag can be raised, so never a ticket.
 */
export function unparseableEvaluation(reason: string): Evaluation {
  const decision: Decision = {
    action: 'review',
    reasons: [{ code: 'unparseable', text: `Mailroom could not read this message (${reason.replace(/\.+$/, '')}): a person should look at it` }],
    flags: { payment: false, legal: false, vip: false },
    acknowledgeOnly: false,
  };
  return { prefilter: null, classification: null, classificationError: null, detectors: { payment: false, legal: false, matches: [] }, decision, pii: null };
}

/** A small email with what the checks look for: a greeting, a name, a number, an amount, a sign-off. */
const WARM_UP_EMAIL = [
  'From: Anna Rossi <anna.rossi@cliente.example>',
  'To: support@mailroom.example',
  'Subject: Fattura 2024/118 e rimborso',
  'Date: Mon, 30 Nov 2026 09:00:00 +0000',
  'Message-ID: <warm-up@mailroom.invalid>',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Buongiorno, sono Anna Rossi. Mi avete addebitato 49,00 EUR due volte sulla carta 4970 1024 5957 1172.',
  'IBAN IT60X0542811101000000123456, tel. +39 347 123 4567, Via Roma 12, 20121 Milano.',
  '',
  'Cordiali saluti',
  'Anna Rossi',
  '',
].join('\r\n');

/**
 * Runs the parse, the pre-filters and the personal-data search once on a small email, then prepares
 * the detectors, while `mailroom run` connects to its mailboxes. Their regular expressions are
 * compiled on first use, and the first emails of a backlog used to pay for it before any of them
 * reached the model (the first search for names, phones and ids alone ~175 ms). The first three are
 * on the way of a model request and go first; the detectors run while the request is out. Not the
 * detectors' rules themselves: running all of them compiles ~500 expressions most mail never needs
 * (more RSS). Every step takes turns of the event loop, so the mailboxes' lease and login go on.
 */
export async function warmEvaluation(): Promise<void> {
  // V8 compiles an expression apart for text of one-byte characters and text with others (a "€"):
  // both kinds of mail are common, so both are warmed.
  for (const raw of [WARM_UP_EMAIL, WARM_UP_EMAIL.replace('49,00 EUR', '49,00 €')]) {
    const email = await parseEmail(Buffer.from(raw));
    await nextTurn();
    runPrefilters(email, { ownAddresses: ['support@mailroom.example'], sizeBytes: raw.length, maxMessageBytes: Number.MAX_SAFE_INTEGER });
    await nextTurn();
    await warmPii(`${email.subject}\n${email.cleanText}`);
    examineEmail(email, { redact: new Set(PII_KINDS) });
  }
  await warmDetectors();
}
