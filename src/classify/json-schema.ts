import { z } from 'zod';
import { classificationSchema } from './classification.js';

/** Name sent as `json_schema.name`; OpenAI allows [a-zA-Z0-9_-]{1,64}. */
export const JSON_SCHEMA_NAME = 'email_classification';

// OpenAI strict mode rejects these string keywords (zod emits them for min/max); the zod check
// after the answer still enforces them.
const UNSUPPORTED_KEYWORDS = new Set(['$schema', 'minLength', 'maxLength']);

type JsonSchema = { [key: string]: unknown };

/**
 * The classification JSON Schema in the shape OpenAI's strict structured outputs accept: every
 * property required, `additionalProperties: false` on every object, nullable team as
 * `anyOf [{enum}, {type: null}]`. Derived from the zod schema so the two cannot drift apart.
 */
export function classificationJsonSchema(teams: readonly string[]): JsonSchema {
  return strictify(z.toJSONSchema(classificationSchema(teams)) as JsonSchema);
}

function strictify(node: unknown): JsonSchema {
  if (Array.isArray(node)) return node.map(strictify) as unknown as JsonSchema;
  if (node === null || typeof node !== 'object') return node as JsonSchema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (UNSUPPORTED_KEYWORDS.has(key)) continue;
    out[key] = key === 'enum' || key === 'required' ? value : strictify(value);
  }
  if (out.type === 'object' && out.properties && typeof out.properties === 'object') {
    out.required = Object.keys(out.properties);
    out.additionalProperties = false;
  }
  return out;
}
