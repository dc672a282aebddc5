import type { PrefilterHit } from '../decide/decision.js';

const MB = 1024 * 1024;

function formatBytes(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1).replace(/\.0$/, '')} MB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KB`;
  return `${bytes} bytes`;
}

/**
 * Messages over `ingest.max_message_bytes` are not sent to the model (cost, and usually a huge
 * attachment the model cannot see anyway), but they may well be real customer mail: a person
 * looks at them instead of Mailroom ignoring them.
 */
export function detectOversize(sizeBytes: number, maxMessageBytes: number): PrefilterHit | null {
  if (!(sizeBytes > maxMessageBytes)) return null;
  return {
    kind: 'oversize',
    action: 'review',
    reason: {
      code: 'prefilter_oversize',
      text:
        `Message is ${formatBytes(sizeBytes)}, over the ${formatBytes(maxMessageBytes)} limit ` +
        '(ingest.max_message_bytes): not sent to the AI model, a person should look at it',
    },
  };
}
