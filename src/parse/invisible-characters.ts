/**
 * Characters that render as nothing (or only reorder text) yet split or disguise words:
 * zero-width spaces/joiners, directional marks and embeddings, word joiners and invisible
 * operators, isolates, the BOM and the soft hyphen. "refu\u200Bnd" must read as "refund" to the
 * detectors, and bidi overrides must not reorder what the model reads.
 * U+061C (Arabic letter mark) and U+180E (Mongolian vowel separator) are the same kind of mark.
 */
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD\u061C\u180E]/g;
const HAS_INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u00AD\u061C\u180E]/;

export function removeInvisibleCharacters(text: string): string {
  // Most text has none; testing first avoids building a new string for it.
  return HAS_INVISIBLE.test(text) ? text.replace(INVISIBLE, '') : text;
}

export function countInvisibleCharacters(text: string): number {
  if (!HAS_INVISIBLE.test(text)) return 0;
  return text.match(INVISIBLE)?.length ?? 0;
}
