import type { PrefilterHit } from '../contract/index.js';
import type { ParsedEmail } from '../parse/index.js';
import { absenceEvidence, challengeEvidence } from './auto-reply-text.js';
import { hasNullReturnPath, headerValues, quoteForReason } from './headers.js';

/**
 * Out-of-office and auto-reply subjects in en/it/de/fr/es, anchored at the start because that is
 * where Exchange, Gmail, Domino and the usual vacation responders put them ("Automatic reply: …",
 * "Risposta automatica: …"). A person writing "Re: out of office hours support?" is not matched.
 */
// biome-ignore format: a list of patterns reads best packed
const AUTO_REPLY_PHRASES = [
  'ooo(?=\\s*[:-])', 'automatic (?:reply|response)', 'auto[- ]?reply', 'auto[- ]?response', 'automated (?:reply|response)', 'autoresponder', 'auto:',
  'vacation(?: reply| response| notice| message)?(?=\\s*[:-])', 'i am (?:currently )?(?:out of (?:the )?office|on (?:vacation|holiday|leave)|away)',
  'risposta automatica', 'sono in ferie', 'sono (?:fuori (?:sede|ufficio)|assente)', '(?:avviso|messaggio) di assenza', 'assenza\\s*:',
  'abwesenheitsnotiz', 'abwesenheitsmeldung', 'automatische antwort', 'autom\\. antwort', 'automatische rückantwort', 'abwesenheit\\s*:', 'ich bin nicht im büro',
  'r[ée]ponse automatique', "message d'absence", "avis d'absence", 'absence\\s*:', 'je suis absente?',
  'respuesta autom[áa]tica', 'respuesta de ausencia', 'ausente(?=\\s*[:-])', 'ausencia\\s*:', '(?:aviso|mensaje) de ausencia', 'estoy fuera de (?:la )?oficina',
  // Helpdesk acknowledgements
  "we(?:'ve| have) received your (?:request|message|e-?mail|enquiry|inquiry|ticket)", 'your (?:request|ticket|case) (?:#?[\\w-]+ )?has been (?:received|created|logged|opened|registered)',
  'request received', 'abbiamo ricevuto la (?:tua|sua) (?:richiesta|segnalazione|e-?mail|mail)', 'wir haben ihre (?:anfrage|nachricht|e-?mail) erhalten',
  'ihre anfrage (?:ist eingegangen|wurde (?:erfasst|erstellt|registriert))', 'nous avons (?:bien )?reçu votre (?:demande|message|e-?mail|courriel)',
  'votre demande (?:a été|est) (?:enregistrée|reçue|créée)', 'hemos recibido su (?:solicitud|mensaje|correo|consulta)', 'su solicitud (?:ha sido|fue) (?:recibida|registrada|creada)',
  // pl, nl, pt: common enough in European inboxes
  'automatyczna odpowied[zź]', 'automatisch antwoord', 'resposta automática',
];

/** Where only the absence is named, its end or a colon must follow: "Out of office feature request" is a customer. */
// biome-ignore format: a list of patterns reads best packed
const ABSENCE_PHRASES = [
  'out of (?:the )?office', 'away from (?:the|my) office', 'fuori (?:sede|ufficio)', "assen(?:te|za) dall'ufficio", 'au(?:ß|ss)er haus', 'nicht im büro', 'abwesend',
  'absen(?:ce|te?) du bureau', 'fuera de (?:la )?oficina',
];
const ABSENCE_END = '(?=\\s*(?:$|[:(\\[–-]|\\d|(?:auto[- ]?reply|until|till|through|from|returning|back|bis|ab|vom|fino|dal|jusqu|du|hasta|desde)(?!\\p{L})))';

const AUTO_REPLY_SUBJECT = new RegExp(`^(?:\\[[^\\]]{0,40}\\]\\s*)?\\[?(?:${AUTO_REPLY_PHRASES.join('|')}|(?:${ABSENCE_PHRASES.join('|')})${ABSENCE_END})(?:(?<=:)|(?![\\p{L}\\p{N}]))`, 'iu');

/** Lotus Notes and some helpdesks put the out-of-office phrase mid-subject: "AUTO: Jane Doe is out of the office". */
const AUTO_REPLY_SUBJECT_ANYWHERE = /(?<![\p{L}\p{N}])is out of (?:the )?office(?![\p{L}\p{N}])/iu;

/** X-Auto-Response-Suppress values that Exchange sets on its own automatic replies. */
const SUPPRESS_VALUES = new Set(['oof', 'autoreply', 'all']);

/**
 * RFC 3834 and the vendor headers that mark a message as sent by a program on someone's behalf:
 * out-of-office replies, vacation notices, ticket-system acknowledgements, read receipts.
 */
export function detectAutoReply(email: ParsedEmail): PrefilterHit | null {
  const found = autoReplyEvidence(email);
  if (found === null) return null;
  return {
    kind: 'auto_reply',
    action: 'ignore',
    reason: { code: 'prefilter_auto_reply', text: `${found}: nobody to answer` },
  };
}

/** Challenge-response requests, checked before bounces because some arrive as delivery reports. */
export function detectChallengeResponse(email: ParsedEmail): PrefilterHit | null {
  const found = challengeEvidence(email);
  return found === null ? null : { kind: 'auto_reply', action: 'ignore', reason: { code: 'prefilter_auto_reply', text: `${found}: nobody to answer` } };
}

/** Words describing why the message looks automatic, or null. */
export function autoReplyEvidence(email: ParsedEmail): string | null {
  for (const value of headerValues(email, 'auto-submitted')) {
    // RFC 3834: "no" is the only value meaning a person sent it; parameters may follow a ";".
    const token = (value.split(';')[0] ?? '').trim().toLowerCase();
    if (token !== '' && token !== 'no') return `Automatic reply (Auto-Submitted: ${quoteForReason(token, 30)})`;
  }
  for (const name of ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-mail-autoreply', 'x-autoreply-from', 'x-fc-machinegenerated']) {
    const value = headerValues(email, name)[0];
    if (value !== undefined && !/^(?:no|false|0)$/i.test(value)) {
      return `Automatic reply (${headerName(name)}: ${quoteForReason(value, 30)})`;
    }
  }
  // Only "Reply": X-Autogenerated: Forward carries a person's mail forwarded by a rule.
  const generated = headerValues(email, 'x-autogenerated').find((v) => /^reply$/i.test(v));
  if (generated !== undefined) return `Automatic reply (X-Autogenerated: ${generated})`;
  // Some senders spell Exchange's header without its second hyphen.
  for (const value of [...headerValues(email, 'x-auto-response-suppress'), ...headerValues(email, 'x-autoresponse-suppress')]) {
    const tokens = value.split(/[\s,;]+/).map((t) => t.toLowerCase());
    const hit = tokens.find((t) => SUPPRESS_VALUES.has(t));
    if (hit !== undefined) return `Automatic reply (X-Auto-Response-Suppress: ${quoteForReason(value, 30)})`;
  }
  for (const name of ['precedence', 'x-precedence']) {
    const value = headerValues(email, name).find((v) => /^auto[_-]?reply$/i.test(v));
    if (value !== undefined) return `Automatic reply (${headerName(name)}: ${value})`;
  }
  if (headerValues(email, 'delivered-to').some((v) => /^autoresponder$/i.test(v))) return 'Automatic reply (Delivered-To: Autoresponder)';
  // vacation(1) and its kin send with an empty return path and Precedence: bulk or junk, but no list headers.
  const precedence = headerValues(email, 'precedence').find((v) => /^(?:bulk|junk)$/i.test(v));
  if (precedence !== undefined && hasNullReturnPath(email) && headerValues(email, 'list-id').length === 0) {
    return `Automatic reply (empty Return-Path with Precedence: ${precedence.toLowerCase()}, as vacation programs send)`;
  }
  if (email.contentType === 'multipart/report' && email.reportType === 'disposition-notification') {
    return 'Read receipt (multipart/report; report-type=disposition-notification)';
  }
  const challenge = challengeEvidence(email);
  if (challenge !== null) return challenge;
  const subject = email.subject.trim();
  if (AUTO_REPLY_SUBJECT.test(subject) || AUTO_REPLY_SUBJECT_ANYWHERE.test(subject)) {
    return `Out-of-office or automatic reply (subject "${quoteForReason(subject)}")`;
  }
  return absenceEvidence(email);
}

/** "x-auto-response-suppress" → "X-Auto-Response-Suppress", for reasons people read. */
function headerName(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
