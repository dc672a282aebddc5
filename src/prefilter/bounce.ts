import type { PrefilterHit } from '../contract/index.js';
import type { ParsedEmail } from '../parse/index.js';
import { anchored, headerValues, isNoReplyAddress, machineSent, quoteForReason, splitAddress, wordsRegExp } from './headers.js';

/** Local parts that only mail servers send from (sendmail's MAILER-DAEMON). */
const DAEMON_LOCAL_PARTS = new Set(['mailer-daemon', 'mailer_daemon', 'mailerdaemon']);

/** RFC 5321's postmaster is where servers send reports from, but at a small company it is also a person's mailbox. */
const POSTMASTER_LOCAL_PARTS = new Set(['postmaster', 'post_master']);

/** Exchange and Microsoft 365 send non-delivery reports from "MicrosoftExchange" and a 32-digit hex id. */
const EXCHANGE_LOCAL_PART = /^microsoftexchange[0-9a-f]{32}$/;

/** Parts in which a server sends back the message (or its headers) that it could not deliver. */
const RETURNED_MESSAGE_TYPES = new Set(['message/rfc822', 'text/rfc822-headers', 'message/delivery-status', 'message/global', 'message/global-headers']);

/** Display names mail servers put on their delivery reports when the address says little. */
const SYSTEM_NAME = /^(?:mail delivery (?:sub)?system|mail delivery service|mail administrator|mailer[- ]daemon|postmaster|microsoft outlook)$/i;

/**
 * Subjects of delivery reports from the common servers (Postfix, Exim, sendmail, qmail, Exchange,
 * Gmail, Domino) in en/it/de/fr/es. Anchored at the start: "Fwd: Undelivered Mail…" is a person
 * forwarding a bounce to support, which someone should read. Exchange's localized forms carry a
 * colon ("Unzustellbar: …"); without it "Nicht zustellbar" may be a customer's lost parcel.
 */
// biome-ignore format: a list of patterns reads best packed
const DSN_SUBJECT = anchored([
  'undelivered mail returned to sender', 'delivery status notification', 'mail delivery failed', 'undeliverable(?:\\s*:| mail| message)', 'returned mail\\s*:',
  'failure notice', 'mail system error', 'warning: could not send message', 'delivery notification: delivery has failed', 'unzustellbar\\s*:',
  'nicht zustellbar\\s*:', 'non recapitabile\\s*:', 'non remis\\s*:', 'non distribuable\\s*:', 'no se puede entregar\\s*:',
  // Exchange's localized "Delivery Status Notification (Failure)"
  'übermittlungsstatusbenachrichtigung', 'notifica (?:dello )?stato (?:di )?recapito', "notification d['’]état de (?:la )?(?:remise|distribution)",
  'notificaci[oó]n de(?:l)? estado de (?:la )?entrega',
]);

/**
 * Subjects that are delivery reports only when the envelope also says a machine sent the message
 * (empty return path, Auto-Submitted): "Delivery failed" alone may be about a parcel.
 */
// biome-ignore format: a list of patterns reads best packed
const WEAK_DSN_SUBJECT = anchored([
  'delivery (?:has )?failed', 'delivery failure', 'mail delivery (?:system|failure)', 'non[- ]?deliver(?:y|able)', 'undelivered (?:mail|message)',
  'message (?:not delivered|delivery failure)', '(?:mail|message) could not be delivered', 'returned mail', 'mail returned', 'mailbox (?:is )?(?:full|unavailable)',
  'mancato recapito', 'impossibile recapitare', 'messaggio non (?:consegnato|recapitato)', 'posta non recapitata', 'casella (?:postale )?piena',
  '(?:ü|ue)bermittlungsfehler', 'zustellung fehlgeschlagen', 'nachricht (?:konnte )?nicht zugestellt', 'unzustellbare (?:nachricht|e-?mail)', 'postfach voll',
  '(?:é|e)chec de (?:la )?(?:remise|distribution)', 'message non (?:remis|distribu(?:é|e))', 'rapport de non-remise', 'bo(?:î|i)te (?:aux lettres )?pleine',
  'mensaje (?:no entregado|devuelto)', 'correo (?:no entregado|devuelto)', 'error de entrega', 'entrega fallida', 'buz(?:ó|o)n lleno',
]);

/**
 * What mail servers write when a message could not be delivered, in en/it/de/fr/es, each phrase
 * about mail rather than parcels. Trusted only in mail a machine sent (machineSent, or a no-reply
 * sender): a customer may well write "my mail could not be delivered to your sales address".
 */
// biome-ignore format: a list of patterns reads best packed
const FAILURE_TEXT = wordsRegExp([
  "(?:message|mail|e-?mail)(?: (?:you sent|sent|addressed)? ?to [^.\\n]{1,80})? (?:could not|couldn['’]t|cannot|can not|was not|wasn['’]t) be(?:en)? delivered", 'could not be delivered to:?\\s*<?[^\\s@<>]+@',
  'unable to deliver (?:the |your )?(?:message|mail)', 'delivery to the following recipients? (?:has )?failed', 'the following (?:address(?:es|\\(es\\))?|recipients?(?:\\(s\\))?) failed', 'permanent(?: fatal)? error',
  '(?:user|recipient|mailbox|e-?mail address) (?:unknown|not found|unavailable|does not exist|is full)', '(?:unknown|invalid) (?:user|recipient|mailbox)', 'not a valid (?:user|recipient|mailbox)',
  'no such (?:user|mailbox|recipient)', 'mailbox (?:is )?over (?:its )?quota', '[45]\\d\\d[ -][45]\\.\\d{1,3}\\.\\d{1,3}',
  "non (?:è|e['’]) stat[oa] (?:possibile )?(?:recapitat|consegnat)\\w*", 'impossibile recapitare', '(?:utente|destinatario) (?:sconosciuto|inesistente)', 'casella (?:postale )?piena',
  'konnte nicht zugestellt werden', '(?:empfänger|benutzer|postfach|e-?mail-adresse) (?:ist )?(?:unbekannt|existiert nicht)', 'postfach (?:ist )?voll',
  "n['’]a pas pu être (?:remis|distribué|délivré|livré)e?", '(?:destinataire|utilisateur|adresse e-?mail) (?:inconnue?|introuvable|inexistante?)', 'bo(?:î|i)te (?:aux lettres )?(?:est )?pleine',
  'no (?:se )?(?:ha podido|pudo|puede) (?:ser )?entregar(?:se)?', '(?:usuario|destinatario|direcci[oó]n de correo) (?:desconocid[oa]|inexistente|no existe)', 'buz[oó]n (?:de correo )?(?:est[aá] )?lleno',
]);

/**
 * Delivery reports and other reports machines send back about mail we sent: nobody to answer.
 * Checks the strongest evidence first so the reason names it.
 */
export function detectBounce(email: ParsedEmail): PrefilterHit | null {
  const found = bounceEvidence(email);
  if (found === null) return null;
  return {
    kind: 'bounce',
    action: 'ignore',
    reason: { code: 'prefilter_bounce', text: `${found}: nobody to answer` },
  };
}

/** Words describing why the message looks like a bounce, or null. */
export function bounceEvidence(email: ParsedEmail): string | null {
  if (email.contentType === 'multipart/report') {
    const type = email.reportType ?? 'unknown';
    if (type === 'delivery-status') return 'Delivery failure report (multipart/report; report-type=delivery-status)';
    if (type === 'feedback-report') return 'Abuse feedback report from a mail provider (multipart/report; report-type=feedback-report)';
    // disposition-notification (read receipts) belongs to the auto-reply pre-filter.
    if (type !== 'disposition-notification') return `Machine-generated report (multipart/report; report-type=${quoteForReason(type, 40)})`;
  }
  // A delivery-status part sent on its own, without the multipart/report around it.
  if (/^message\/x?-?delivery-status$/.test(email.contentType)) return `Delivery failure report (${email.contentType})`;
  const from = email.from;
  const local = splitAddress(from?.address ?? '')?.local ?? '';
  if (DAEMON_LOCAL_PARTS.has(local) || EXCHANGE_LOCAL_PART.test(local)) {
    return `Delivery report from the mail server address ${from?.address}`;
  }
  const name = from?.name.trim() ?? '';
  if (SYSTEM_NAME.test(name)) return `Delivery report from "${quoteForReason(name, 40)}"`;
  const machine = machineSent(email);
  // "Bob <postmaster@…>" writing from his mail client is a person; a nameless postmaster, or one
  // sending back a copy of a message, is a server.
  const returned = email.attachments.some((a) => RETURNED_MESSAGE_TYPES.has(a.content_type));
  if (POSTMASTER_LOCAL_PARTS.has(local) && (name === '' || machine !== null || returned)) {
    return `Delivery report from the mail server address ${from?.address}`;
  }
  const failed = headerValues(email, 'x-failed-recipients');
  if (failed.length > 0) return `Delivery failure report (X-Failed-Recipients: ${quoteForReason(failed[0] ?? '', 40)})`;
  // Exchange sets it with an empty value: its presence is the mark.
  if (email.headers['x-ms-exchange-message-is-ndr'] !== undefined) return 'Non-delivery report from Exchange (X-MS-Exchange-Message-Is-Ndr)';
  // fml, a list manager, answers from the list's -admin address with ".FML" in the Message-ID.
  if (headerValues(email, 'x-mlserver').length > 0 && local.endsWith('-admin') && /\.FML/i.test(email.messageId ?? '')) {
    return `Error notice from the fml mailing-list manager (${from?.address})`;
  }
  const subject = email.subject.trim();
  if (DSN_SUBJECT.test(subject)) return `Delivery failure report (subject "${quoteForReason(subject)}")`;
  // Microsoft's junk-mail reporting program (JMRP) sends complaints without an ARF report type.
  if (/^complaint about message from [\d.:a-f]+$/i.test(subject)) return `Abuse complaint from a mail provider (subject "${quoteForReason(subject)}")`;
  if (machine !== null && WEAK_DSN_SUBJECT.test(subject)) return `Delivery failure report (subject "${quoteForReason(subject)}", ${machine})`;
  // A no-reply sender is a machine too, but one that also reports failed parcels and payments:
  // only its text about mail says bounce.
  const sender = machine ?? (isNoReplyAddress(from?.address) ? `sent from ${from?.address}` : null);
  if (sender === null) return null;
  // Where mail servers state the failure: the first lines, not a quoted copy further down.
  const said = FAILURE_TEXT.exec(email.fullText.slice(0, 1500))?.[0];
  return said === undefined ? null : `Delivery failure report (the text says "${quoteForReason(said, 50)}", ${sender})`;
}
