import nodemailer from 'nodemailer';
import type { Config } from '../config/index.js';
import { isLoopbackHost } from '../ingest/index.js';

export type SmtpConfig = NonNullable<Config['drafts']['smtp']>;

const CONNECTION_TIMEOUT_MS = 30 * 1000;
const SOCKET_TIMEOUT_MS = 60 * 1000;

/**
 * What a failed send means for the next attempt. `refused`: the server said no before taking the
 * message (or we never got that far), nothing was sent. `unknown`: the connection failed after
 * the message may have been accepted, so sending again could send it twice.
 */
export class SendFailedError extends Error {
  override readonly name = 'SendFailedError';
  readonly outcome: 'refused' | 'unknown';
  /** A permanent (5xx) refusal: retrying will not help. */
  readonly permanent: boolean;
  constructor(message: string, options: { outcome: 'refused' | 'unknown'; permanent: boolean; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.outcome = options.outcome;
    this.permanent = options.permanent;
  }
}

/** Sends the exact bytes that are also stored in Sent; the envelope comes from our own headers. */
export async function sendReply(smtp: SmtpConfig, message: { raw: Buffer; from: string; to: string }): Promise<{ response: string }> {
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    // A password never crosses the network in clear: STARTTLS is required except on loopback.
    requireTLS: !smtp.secure && !isLoopbackHost(smtp.host),
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: CONNECTION_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
  });
  try {
    const info = await transport.sendMail({ envelope: { from: message.from, to: [message.to] }, raw: message.raw });
    if (info.rejected.length > 0) {
      throw new SendFailedError(`the SMTP server ${smtp.host}:${smtp.port} refused the recipient ${message.to}`, { outcome: 'refused', permanent: true });
    }
    return { response: String(info.response ?? '') };
  } catch (error) {
    if (error instanceof SendFailedError) throw error;
    throw describeSendError(smtp, error);
  } finally {
    transport.close();
  }
}

interface SmtpErrorLike {
  message?: string;
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
}

// Failures where the message cannot have been handed over yet.
const BEFORE_MESSAGE_CODES = new Set(['EDNS', 'ETLS', 'EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG', 'EPROXY', 'EREQUIRETLS', 'EENVELOPE']);

export function describeSendError(smtp: SmtpConfig, error: unknown): SendFailedError {
  const e = (error ?? {}) as SmtpErrorLike;
  const where = `SMTP server ${smtp.host}:${smtp.port}`;
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    const permanent = e.responseCode >= 500;
    const hint = e.code === 'EAUTH' ? '; check drafts.smtp.user and password' : '';
    return new SendFailedError(`${where} refused the reply (${e.responseCode} ${oneLine(e.response ?? e.message ?? '')})${hint}`, {
      outcome: 'refused',
      permanent,
      cause: error,
    });
  }
  if (e.command === 'CONN' || BEFORE_MESSAGE_CODES.has(e.code ?? '')) {
    const hint = e.code === 'ETLS' || e.code === 'EREQUIRETLS' ? '; check drafts.smtp.secure and port' : e.code === 'EAUTH' || e.code === 'ENOAUTH' ? '; check drafts.smtp.user and password' : '';
    return new SendFailedError(`cannot send through ${where}: ${e.code ?? ''} ${oneLine(e.message ?? String(error))}${hint}`, {
      outcome: 'refused',
      permanent: false,
      cause: error,
    });
  }
  return new SendFailedError(`sending through ${where} failed midway (${e.code ?? ''} ${oneLine(e.message ?? String(error))}); the server may have taken the message`, {
    outcome: 'unknown',
    permanent: false,
    cause: error,
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 300);
}
