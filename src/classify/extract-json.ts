/**
 * Finds the JSON object in a model's answer: the whole content, else a ```json fence, else the
 * first balanced {...} block that parses. Servers without structured output often wrap the
 * object in prose or fences. Throws with a short reason the repair prompt can show the model.
 */
export function extractJsonObject(content: string): unknown {
  const text = content.trim();
  if (text === '') throw new Error('the answer was empty');
  const whole = tryParse(text);
  if (isObject(whole)) return whole;

  for (const match of text.matchAll(/```(?:json|JSON)?\s*\n?([\s\S]*?)```/g)) {
    const fenced = tryParse(match[1]!.trim());
    if (isObject(fenced)) return fenced;
  }
  for (const block of balancedBlocks(text)) {
    const parsed = tryParse(block);
    if (isObject(parsed)) return parsed;
  }
  throw new Error('the answer contains no JSON object');
}

const NOT_JSON = Symbol('not json');

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return NOT_JSON;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function* balancedBlocks(text: string): Generator<string> {
  // A bounded number of starting points keeps a long brace-ridden answer from costing O(n²).
  let tries = 0;
  for (let start = text.indexOf('{'); start >= 0 && tries < 20; start = text.indexOf('{', start + 1), tries++) {
    let depth = 0;
    let inString = false;
    for (let i = start; i < text.length; i++) {
      const ch = text[i];
      if (inString) {
        if (ch === '\\') i++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') {
        inString = true;
      } else if (ch === '{') {
        depth++;
      } else if (ch === '}') {
        depth--;
        if (depth === 0) {
          yield text.slice(start, i + 1);
          break;
        }
      }
    }
  }
}
