import type { Command } from 'commander';
import { createClassifier } from '../../classify/create-classifier.js';
import { startMailboxWatchers } from '../../ingest/start-mailbox-watchers.js';
import { startPipelineWorker } from '../../pipeline/pipeline-worker.js';
import { newWorkerId } from '../../pipeline/worker-id.js';
import { systemClock } from '../../util/clock.js';
import { startDeliveryWorker } from '../../webhooks/delivery-worker.js';
import { startDraftWorker } from '../../drafts/draft-worker.js';
import type { RateLimiter } from '../../classify/rate-limiter.js';
import { startApiServer } from '../../api/start-api-server.js';
import { llmProbe, resolveLlmEndpoint } from '../../ops/llm-endpoint.js';
import { defaultMetrics } from '../../ops/metrics.js';
import { createReadiness } from '../../ops/readiness.js';
import type { AppFactory } from '../app.js';
import { parseDuration } from '../../config/duration.js';
import { releaseDeadLocalClaims } from '../../db/release-dead-local-claims.js';
import { UsageError } from '../errors.js';
import { describeDatabase } from '../app.js';

/** SIGTERM must leave within this: supervisors (systemd, Docker) kill at 10 s. */
const SHUTDOWN_DEADLINE_MS = 8000;
const DEAD_CLAIMS_SWEEP_MS = 30_000;

export function register(program: Command, openApp: AppFactory): void {
  program
    .command('run')
    .description('watch every configured mailbox, classify, decide, draft and deliver until stopped')
    .option('--backfill <age>', 'on the first start also take mail this old, e.g. 7d (overrides ingest.backfill)')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<{ config?: string; backfill?: string }>();
      const backfill = flags.backfill === undefined ? null : parseDuration(flags.backfill);
      if (backfill === null && flags.backfill !== undefined) throw new UsageError(`--backfill: expected a duration like 7d or 12h, got "${flags.backfill}"`);
      const app = await openApp(flags);
      const { logger, db } = app;
      const config = backfill === null ? app.config : { ...app.config, ingest: { ...app.config.ingest, backfill } };
      // Claims of a process on this host that died (SIGKILL, OOM) are released now, not when their lease runs out.
      await releaseDeadLocalClaims(db, logger, { includeOwnPid: true });
      const sweepDead = setInterval(() => {
        releaseDeadLocalClaims(db, logger, { includeOwnPid: false }).catch((error: unknown) => logger.warn({ err: error }, 'could not check for claims of dead processes'));
      }, DEAD_CLAIMS_SWEEP_MS);
      sweepDead.unref();
      const { classifier, notice } = createClassifier(config.classifier, { logger });
      if (notice) logger.warn(notice);
      const processId = newWorkerId('run');
      const deliveries = startDeliveryWorker({ db, config, logger, clock: systemClock });
      // Replies share the classifier's rate budget: one limit for every model request of the process.
      const limiter = (classifier as { limiter?: RateLimiter }).limiter;
      const drafts = startDraftWorker({ db, config, logger, clock: systemClock, workerId: `${processId}:drafts`, limiter });
      const pipeline = startPipelineWorker({
        db,
        config,
        classifier,
        logger,
        clock: systemClock,
        workerId: processId,
        onDecided: (event) => {
          if (event.decision.action === 'ticket') deliveries.wake();
          if (event.decision.action === 'draft') drafts.wake();
          watchers?.onDecided?.(event);
        },
      });
      let watchers: Awaited<ReturnType<typeof startMailboxWatchers>> | null = null;
      watchers = await startMailboxWatchers({
        db,
        config,
        logger,
        processId,
        onStored: () => pipeline.wake(),
        tuning: { leaseTtlMs: config.ingest.lease_ttl, leaseRetryMs: Math.max(1000, Math.min(10_000, config.ingest.lease_ttl / 3)) },
      });
      const metrics = defaultMetrics();
      metrics.observeDatabase(db, { clock: systemClock, logger });
      const readiness = createReadiness({
        db,
        mailboxes: () => watchers?.status() ?? [],
        llm: llmProbe(resolveLlmEndpoint(config.classifier)),
        clock: systemClock,
      });
      const api = config.api.enabled
        ? await startApiServer({ db, config, logger, readiness, metrics, clock: systemClock, wakeDeliveries: () => deliveries.wake() })
        : null;
      if (api) logger.info({ url: api.url }, 'HTTP API listening');
      if (config.mailboxes.length === 0) {
        logger.warn('no mailboxes configured: processing stored messages and deliveries only (add mailboxes: to the configuration)');
      }
      logger.info({ database: describeDatabase(config), mailboxes: config.mailboxes.map((m) => m.name) }, 'mailroom running');

      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: finishing in-flight work');
          resolve();
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      const hardStop = setTimeout(() => {
        logger.error('shutdown took too long; exiting with in-flight work released to the next start');
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS + 1500);
      hardStop.unref();
      clearInterval(sweepDead);
      // Stop accepting first, then let the stages finish what they hold.
      await api?.close();
      await watchers.stop();
      await Promise.all([pipeline.stop(SHUTDOWN_DEADLINE_MS), deliveries.stop(), drafts.stop()]);
      await classifier.close?.();
      await app.close();
      logger.info('stopped');
    });
}
