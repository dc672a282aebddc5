import type { ReplyLanguage } from './attribution-line.js';

/**
 * The whole reply for payment, legal and VIP mail: receipt acknowledged, a person will answer,
 * nothing else. Fixed text rather than model output, so no wording can promise a refund, admit
 * fault or name a deadline. No greeting by name: the display name is text the sender chose.
 */
const TEMPLATES: Record<ReplyLanguage, string> = {
  en: 'Hello,\n\nthank you for your message. We have received it, and a member of our team will read it and reply to you personally.\n\nKind regards',
  it: 'Buongiorno,\n\ngrazie per il suo messaggio. Lo abbiamo ricevuto e una persona del nostro team lo leggerà e le risponderà personalmente.\n\nCordiali saluti',
  de: 'Guten Tag,\n\nvielen Dank für Ihre Nachricht. Wir haben sie erhalten; eine Person aus unserem Team wird sie lesen und Ihnen persönlich antworten.\n\nMit freundlichen Grüßen',
  fr: "Bonjour,\n\nmerci pour votre message. Nous l'avons bien reçu ; une personne de notre équipe va le lire et vous répondra personnellement.\n\nCordialement",
  es: 'Hola:\n\nGracias por su mensaje. Lo hemos recibido y una persona de nuestro equipo lo leerá y le responderá personalmente.\n\nUn saludo cordial',
};

export function acknowledgementText(language: ReplyLanguage): string {
  return TEMPLATES[language];
}
