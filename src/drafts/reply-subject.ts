/**
 * Reply prefixes mail clients put in front of a subject, in the languages Mailroom answers in
 * and the ones their Outlook, Gmail and Apple Mail localisations use: Re (en, it, fr, es),
 * R and Rif (it), AW, Antw and Antwort (de), Réf and Réf. (fr, Lotus Notes), RV (es), SV and VS (nordic Outlook),
 * RES (pt). Forward prefixes other than RV stay: "Re: Fwd: …" is what the customer sees in
 * every client too. A counter ("Re[2]:", "Re(3):", "Re^2:") and a space before the colon
 * (French typography, "Re :") are accepted; so is the full-width colon.
 */
const REPLY_PREFIX = /^\s*(?:re|r|rif|r[ée]f\.?|aw|antw|antwort|rv|sv|vs|res)\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:：]\s*/iu;

/** The subject without any leading run of reply prefixes: "RE: Aw: R: Fattura" → "Fattura". */
export function stripReplyPrefixes(subject: string): string {
  let rest = subject.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  for (;;) {
    const match = REPLY_PREFIX.exec(rest);
    if (!match) return rest;
    rest = rest.slice(match[0].length);
  }
}

/** `Re: <subject>` with exactly one prefix, whatever the original carried. */
export function replySubject(subject: string): string {
  const bare = stripReplyPrefixes(subject);
  return bare === '' ? 'Re:' : `Re: ${bare}`;
}
