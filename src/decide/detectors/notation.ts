/**
 * The rule notation's building blocks (rules.ts describes the notation): shared by compiling a
 * pattern (rules.ts) and by working out where its matches may begin (match-starts.ts).
 */

/** Letters a pattern may write as such that also match a spelling without them (ü: ue or u). */
export const SPELLINGS: Record<string, string> = { ü: 'ue?', ö: 'oe?', ä: 'ae?', œ: 'oe?', æ: 'ae?', ø: 'oe?', ß: 'ss?' };

/** An alternative that starts with a letter or digit (perhaps inside groups) gets a `\b` before it: it starts a word. */
export const WORD_START = /^(?:\(\?:|\()*(?:[\p{L}\p{N}[]|\\d|\\p\{L\})/u;

/**
 * The syntax characters of a pattern, outside escapes and character classes, each with the group
 * depth after it: what splitting at top-level `|` and finding a group's end both walk.
 */
export function* syntax(pattern: string): Generator<{ c: string; i: number; depth: number }> {
  let depth = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else {
      if (c === '(') depth++;
      else if (c === ')') depth--;
      yield { c, i, depth };
    }
  }
}

/** The alternatives of a pattern at its top level (not inside a group or a character class). */
export function alternatives(pattern: string): string[] {
  const parts: string[] = [];
  let from = 0;
  for (const { c, i, depth } of syntax(pattern)) {
    if (c !== '|' || depth !== 0) continue;
    parts.push(pattern.slice(from, i));
    from = i + 1;
  }
  parts.push(pattern.slice(from));
  return parts;
}
