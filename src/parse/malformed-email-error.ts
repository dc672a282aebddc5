/** Why a file was refused before any cleaning ran; lets callers count failures by kind. */
export type MalformedReason = 'empty' | 'binary' | 'no-headers' | 'unparseable';

/**
 * The input is not an email at all (empty, binary, no header block) or mailparser gave up on it.
 * The message is one line that says what is wrong and what to do; callers prefix the file name.
 * Messy but real mail never gets this error: anything with at least one header is accepted.
 */
export class MalformedEmailError extends Error {
  override readonly name = 'MalformedEmailError';
  readonly reason: MalformedReason;

  constructor(reason: MalformedReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

export function isMalformedEmailError(error: unknown): error is MalformedEmailError {
  return error instanceof MalformedEmailError;
}
