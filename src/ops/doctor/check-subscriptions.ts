import { existsSync } from 'node:fs';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import {
  checkWebhookUrl,
  defaultKeyFilePath,
  listSubscriptions,
  pingSubscription,
  type ResolveHost,
  type SecretBox,
  secretBoxFromConfig,
  type UrlPolicy,
  WebhookUrlRefusedError,
} from '../../webhooks/index.js';
import { type CheckResult, fail, ok, warn } from './checklist.js';

/**
 * Each subscription's URL as delivery would see it: the name resolves, the SSRF rules allow the
 * address, and a signed `ping` gets a 2xx. Disabled subscriptions are listed, not pinged.
 */
export async function checkSubscriptions(db: Db, config: Config, options: { now?: () => Date; resolveHost?: ResolveHost; secretBox?: SecretBox; timeoutMs?: number } = {}): Promise<CheckResult[]> {
  const now = options.now ?? (() => new Date());
  const subscriptions = await listSubscriptions(db, now());
  if (subscriptions.length === 0) {
    return [warn('subscriptions', 'none: no ticket.suggested event will be sent', 'add one with `mailroom subscriptions add https://your-ticket-tool/hook`')];
  }
  if (!options.secretBox && !config.webhooks.secret_key && !existsSync(defaultKeyFilePath(config))) {
    return [
      fail(
        'subscriptions',
        `${subscriptions.length} subscription(s), but the key that encrypts their secrets is missing (no webhooks.secret_key, no ${defaultKeyFilePath(config)})`,
        'set webhooks.secret_key to the key the subscriptions were created with, or rotate each secret (`mailroom subscriptions rotate-secret ID`) and update the receivers',
      ),
    ];
  }
  const secretBox = options.secretBox ?? secretBoxFromConfig(config);
  const policy: UrlPolicy = {
    allowHttp: config.webhooks.allow_http,
    allowPrivateNetworks: config.webhooks.allow_private_networks,
    ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
  };
  const results: CheckResult[] = [];
  for (const sub of subscriptions) {
    const name = `subscription ${sub.id}`;
    if (sub.status === 'disabled') {
      results.push(
        warn(
          name,
          `${sub.url} is disabled${sub.disabled_reason ? `: ${sub.disabled_reason}` : ''}`,
          `after fixing the receiver: \`mailroom subscriptions test ${sub.id}\`, then \`mailroom subscriptions enable ${sub.id}\``,
        ),
      );
      continue;
    }
    try {
      await checkWebhookUrl(sub.url, policy);
    } catch (error) {
      const refused = error instanceof WebhookUrlRefusedError;
      results.push(
        fail(
          name,
          `${sub.url}: ${(error as Error).message}`,
          refused
            ? `point the subscription at a public https URL (remove it and add the right one), or change the webhooks settings the message names`
            : "check the host name in the URL and this host's DNS",
        ),
      );
      continue;
    }
    const ping = await pingSubscription(db, { id: sub.id, secretBox, urlPolicy: policy, timeoutMs: options.timeoutMs ?? config.webhooks.timeout, now });
    if (ping.error === null) results.push(ok(name, `${sub.url} answered the ping with HTTP ${ping.statusCode} in ${ping.latencyMs} ms`));
    else {
      const fix =
        ping.statusCode === null
          ? `start the receiver at ${sub.url} or correct the URL; events wait in the outbox meanwhile (${sub.pending} pending)`
          : ping.statusCode === 401 || ping.statusCode === 403
            ? 'the receiver rejects the signature: give it the current secret (`mailroom subscriptions rotate-secret` prints a new one)'
            : ping.statusCode >= 300 && ping.statusCode < 400
              ? 'give the subscription its final URL (redirects are not followed)'
              : "check the receiver's log for why it refuses the ping";
      results.push(fail(name, `${sub.url}: ping failed: ${ping.error}`, fix));
    }
  }
  return results;
}
