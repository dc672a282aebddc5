/**
 * The local model: a supervised classifier over hashed words and character n-grams, trained on the
 * seed corpus that ships with Mailroom (training/) and on the mailbox's own history. It classifies
 * with no API key, gives a second opinion on the flags beside the AI model, and may answer the easy
 * emails itself once it has shown it agrees (classifier.cascade).
 */
export { AGREEMENT_WINDOW, type Agreement, agreementOf, agreementTrusted, type CascadeUsage, cascadeUsage, withLocalModel } from './cascade.js';
export { type AutonomyRule, autonomyGap, createLocalClassifier, toClassification } from './local-classifier.js';
export { type LocalModel, MODEL_FORMAT, type Prediction, predict, type TrainingExample, trainLocalModel } from './model.js';
export { type LocalModelStore, openLocalModel } from './store.js';
export { CORRECTION_WEIGHT, correctionExamples, historyExamples, seedExamples } from './training-data.js';
