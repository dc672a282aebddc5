/**
 * Splits a migration file into single statements. PGlite's `query` (what Kysely's dialect uses)
 * speaks the extended protocol, which takes one statement at a time. Understands `--` and block
 * comments, quoted strings and identifiers, and dollar-quoted bodies, so a `;` inside them stays put.
 */
export function splitSqlStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === '-' && next === '-') {
      i = indexOrEnd(text, '\n', i);
    } else if (ch === '/' && next === '*') {
      i = indexOrEnd(text, '*/', i + 2) + 2;
    } else if (ch === "'" || ch === '"') {
      i = skipQuoted(text, i, ch);
    } else if (ch === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i))?.[0];
      i = tag ? indexOrEnd(text, tag, i + tag.length) + tag.length : i + 1;
    } else if (ch === ';') {
      pushStatement(statements, text.slice(start, i));
      start = i + 1;
      i++;
    } else {
      i++;
    }
  }
  pushStatement(statements, text.slice(start));
  return statements;
}

function indexOrEnd(text: string, needle: string, from: number): number {
  const at = text.indexOf(needle, from);
  return at === -1 ? text.length : at;
}

/** Skips a quoted run; a doubled quote is an escaped quote. */
function skipQuoted(text: string, open: number, quote: string): number {
  let i = open + 1;
  while (i < text.length) {
    if (text[i] === quote) {
      if (text[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return i;
}

function pushStatement(out: string[], statement: string): void {
  const withoutComments = statement.replace(/--[^\n]*/g, '').trim();
  if (withoutComments.length > 0) out.push(statement.trim());
}
