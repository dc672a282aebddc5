import type { EmailAddress } from '../parse/parsed-email.js';

/** Languages with their own attribution line and acknowledgement template; others use English. */
export const REPLY_LANGUAGES = ['en', 'it', 'de', 'fr', 'es'] as const;
export type ReplyLanguage = (typeof REPLY_LANGUAGES)[number];

/** The classification's language when Mailroom has templates for it, English otherwise. */
export function replyLanguage(language: string | null | undefined): ReplyLanguage {
  const code = (language ?? '').trim().toLowerCase().slice(0, 2);
  return (REPLY_LANGUAGES as readonly string[]).includes(code) ? (code as ReplyLanguage) : 'en';
}

const LOCALES: Record<ReplyLanguage, string> = { en: 'en-GB', it: 'it-IT', de: 'de-DE', fr: 'fr-FR', es: 'es-ES' };

/** Each language's line as its own mail clients write it (Thunderbird, Apple Mail, Gmail). */
const WITH_DATE: Record<ReplyLanguage, (date: string, who: string) => string> = {
  en: (date, who) => `On ${date}, ${who} wrote:`,
  it: (date, who) => `Il giorno ${date} ${who} ha scritto:`,
  de: (date, who) => `Am ${date} schrieb ${who}:`,
  fr: (date, who) => `Le ${date}, ${who} a écrit :`,
  es: (date, who) => `El ${date}, ${who} escribió:`,
};

const WITHOUT_DATE: Record<ReplyLanguage, (who: string) => string> = {
  en: (who) => `${who} wrote:`,
  it: (who) => `${who} ha scritto:`,
  de: (who) => `${who} schrieb:`,
  fr: (who) => `${who} a écrit :`,
  es: (who) => `${who} escribió:`,
};

/**
 * "Il giorno 23 nov 2026, 08:13 UTC Maria Rossi <maria@azienda.com> ha scritto:". The time is
 * shown in UTC with its zone named: the original's own offset is not kept by the parser, and the
 * server's zone says nothing to the reader.
 */
export function attributionLine(language: ReplyLanguage, sender: EmailAddress | null, date: Date | null): string {
  const who = describeSender(sender);
  if (!date) return WITHOUT_DATE[language](who);
  const formatted = new Intl.DateTimeFormat(LOCALES[language], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(date);
  return WITH_DATE[language](`${formatted} UTC`, who);
}

function describeSender(sender: EmailAddress | null): string {
  const name = oneLine(sender?.name ?? '');
  const address = oneLine(sender?.address ?? '');
  if (name && address && name.toLowerCase() !== address) return `${name} <${address}>`;
  return address || name || '?';
}

function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}
