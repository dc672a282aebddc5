import type { SecretBox } from './secret-box.js';

/**
 * The secrets that sign right now: the current one, plus the previous one while its rotation
 * overlap lasts, so receivers that have not switched yet keep verifying.
 */
export function signingSecrets(
  box: SecretBox,
  subscription: { subscription_id: string; secret_encrypted: string; previous_secret_encrypted: string | null; previous_secret_expires_at: Date | null },
  now: Date,
): string[] {
  const secrets = [box.decrypt(subscription.secret_encrypted, subscription.subscription_id)];
  const expires = subscription.previous_secret_expires_at;
  if (subscription.previous_secret_encrypted && expires && new Date(expires).getTime() > now.getTime()) {
    secrets.push(box.decrypt(subscription.previous_secret_encrypted, subscription.subscription_id));
  }
  return secrets;
}
