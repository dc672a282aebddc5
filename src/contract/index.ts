/**
 * The shared vocabulary of the flow: the classification the model must return and the decision
 * the engine makes. Every stage and the database schema speak these types; they change only
 * deliberately (docs/design.md, "Public contracts").
 */
export * from './classification.js';
export * from './decision.js';
