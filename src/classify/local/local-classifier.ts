import type { Category, Classification, Intent, Priority } from '../../contract/index.js';
import type { ClassificationResult, Classifier, ClassifierInput } from '../classifier.js';
import { detectLanguage } from '../language.js';
import { sentimentOf, summarise } from '../rules-classifier.js';
import { type LocalModel, type Prediction, predict } from './model.js';

/** When the local model may suggest tickets on its own (classifier.local). */
export interface AutonomyRule {
  /** Measured precision of "support" on the mailbox's own labels (each judged by a fold model that did not train on it), at least. */
  minPrecision: number;
  /** Over at least this many of the mailbox's own labels. */
  minLabels: number;
}

/**
 * Null when the model has earned the right to suggest tickets: its "support" was right often enough
 * on enough of this mailbox's own labels, each judged by a model that did not train on it. Otherwise why not, in words that
 * say how far it is.
 */
export function autonomyGap(model: LocalModel, rule: AutonomyRule): string | null {
  const { mailboxLabels, mailboxSupportPrecision } = model.heldOut;
  if (mailboxLabels < rule.minLabels) {
    return `the local model has been checked on ${mailboxLabels} of the ${rule.minLabels} labels of this mailbox it needs before it may suggest tickets on its own`;
  }
  if (mailboxSupportPrecision === null || mailboxSupportPrecision < rule.minPrecision) {
    const measured = mailboxSupportPrecision === null ? 'not measurable yet' : `${(mailboxSupportPrecision * 100).toFixed(1)} %`;
    return `the local model's precision for support on this mailbox is ${measured}, below the ${(rule.minPrecision * 100).toFixed(0)} % it needs to suggest tickets on its own`;
  }
  return null;
}

/**
 * The local classifier: the trained model answers intent, category, priority and the flags; the
 * language comes from tinyld, the summary is the first sentence, the sentiment from a lexicon. Its
 * confidence is the calibrated probability of the intent, so policy.threshold means the same here
 * as for the AI model. It may suggest tickets only once it has earned it (autonomyGap).
 */
export function createLocalClassifier(options: { model: () => LocalModel; autonomy: AutonomyRule; flagThreshold: number }): Classifier {
  return {
    name: 'local',
    get promptVersion() {
      return options.model().version;
    },
    async classify(input: ClassifierInput): Promise<ClassificationResult> {
      const started = performance.now();
      const model = options.model();
      const { subject, cleanText, newestText } = input.email;
      // The text it was trained on (seed, history and corrections): cleanText is newestText cut to
      // the hosted model's max_input_chars, which would show it a head and tail it never learned from.
      const prediction = predict(model, subject, newestText);
      const gap = autonomyGap(model, options.autonomy);
      return {
        classification: toClassification(prediction, subject, cleanText, options.flagThreshold),
        model: `local@${model.version}`,
        classifier: 'local',
        promptVersion: model.version,
        logprobConfidence: null,
        promptTokens: null,
        completionTokens: null,
        latencyMs: Math.round(performance.now() - started),
        mode: 'local',
        modelVersion: model.version,
        ...(gap ? { noTickets: gap } : {}),
      };
    },
  };
}

export function toClassification(p: Prediction, subject: string, text: string, flagThreshold: number): Classification {
  const intent = p.intent.label as Intent;
  return {
    intent,
    category: intent === 'support' ? (p.category.label as Category) : 'other',
    priority: p.priority.label as Priority,
    summary: summarise(subject, text),
    language: detectLanguage(`${subject}\n${text}`),
    flags: { payment: p.payment >= flagThreshold, legal: p.legal >= flagThreshold },
    sentiment: sentimentOf(`${subject}\n${text}`),
    team: null,
    confidence: Math.round(p.intent.probability * 1000) / 1000,
  };
}
