import type { Command } from 'commander';
import { startApiServer } from '../../api/index.js';
import { createClassifier, type RateLimiter } from '../../classify/index.js';
import { mailboxFacts, parseDuration } from '../../config/index.js';
import { startImapCorrections } from '../../corrections/index.js';
import { analyzeEmbedded, type Db, describeDatabase, isEmbedded, type SecretBox, secretBoxFromConfig, serveEmbeddedDatabase, sweepRawStore } from '../../db/index.js';
import { draftEffect, startDraftWorker } from '../../drafts/index.js';
import { createKeywordSupport, keywordHandler, loginGate, releaseDeadLocalLeases, startMailboxWatchers } from '../../ingest/index.js';
import { createReadiness, llmProbe, observeDatabase, resolveLlmEndpoint } from '../../ops/index.js';
import { createModelWatch, createPipelineContext, keywordEffect, startPipelineWorker, warmEvaluation } from '../../pipeline/index.js';
import { createRunner, newWorkerId, releaseDeadLocalClaims } from '../../queue/index.js';
import { createShadowCandidate, shadowContext, shadowEffect, startShadowWorker } from '../../shadow/index.js';
import { systemClock } from '../../util/clock.js';
import type { Logger } from '../../util/logger.js';
import { createMetrics } from '../../util/metrics.js';
import { rawEmailUrl, startDeliveryWorker, ticketEffect } from '../../webhooks/index.js';
import { type AppFactory, UsageError } from '../app.js';

/** SIGTERM must leave within this: supervisors (systemd, Docker) kill at 10 s. */
const SHUTDOWN_DEADLINE_MS = 8000;
const DEAD_CLAIMS_SWEEP_MS = 30_000;
const RETRAIN_CHECK_MS = 5 * 60_000;
const ANALYZE_EMBEDDED_MS = 60 * 60_000;

export function register(program: Command, openApp: AppFactory): void {
  program
    .command('run')
    .description('watch every configured mailbox, classify, decide, draft and deliver until stopped')
    .option('--backfill <age>', 'on the first start also take mail this old, e.g. 7d (overrides ingest.backfill)')
    .action(async (_options, command: Command) => {
      const flags = command.optsWithGlobals<{ config?: string; backfill?: string }>();
      const backfill = flags.backfill === undefined ? null : parseDuration(flags.backfill);
      if (backfill === null && flags.backfill !== undefined) throw new UsageError(`--backfill: expected a duration like 7d or 12h, got "${flags.backfill}"`);
      const app = await openApp({ ...flags, service: true });
      const { logger, db } = app;
      // The other commands on this data directory work through the service while it holds the embedded database.
      const served = isEmbedded(app.config.database) ? await serveEmbeddedDatabase({ db, dataPath: app.config.database.path, logger }) : null;
      if (served) logger.info({ socket: served.socketPath }, 'serving the embedded database to the other mailroom commands on this data directory');
      const config = backfill === null ? app.config : { ...app.config, ingest: { ...app.config.ingest, backfill } };
      const clock = systemClock;
      // Claims of a process on this host that died (SIGKILL, OOM) are released now, not when they go stale.
      await releaseDead(db, logger, true);
      await sweepRaw(db, logger);
      // Watch leases of dead local processes are the lease keeper's (within a second); this sweep is for queue claims.
      const sweepDead = setInterval(() => void releaseDeadClaims(db, logger), DEAD_CLAIMS_SWEEP_MS);
      sweepDead.unref();
      // PGlite has no autovacuum: its planner statistics are refreshed here, at start and hourly.
      const analyze = () => analyzeEmbedded(db).catch((error: unknown) => logger.warn({ err: error }, 'could not refresh the embedded database statistics; queries may be slower'));
      const analyzeTimer = isEmbedded(config.database) ? setInterval(() => void analyze(), ANALYZE_EMBEDDED_MS) : null;
      analyzeTimer?.unref();
      if (analyzeTimer) await analyze();
      // The local model learns the mailbox: retrained in a worker thread once enough new labels arrived,
      // checked at start too (a model saved before labels went away, or from another seed, is due at once).
      const retrainIfDue = () => {
        local?.retrainIfDue().catch((error: unknown) => logger.warn({ err: error }, 'could not retrain the local model; the current one stays in use'));
      };
      const retrain = setInterval(retrainIfDue, RETRAIN_CHECK_MS);
      retrain.unref();

      const { classifier, notice, local } = await createClassifier(config, { logger, db });
      if (notice) logger.warn(notice);
      retrainIfDue();
      // The detectors' rules are analysed, and the parse, pre-filters and personal-data search run
      // once, while the mailboxes connect: not on the first emails.
      void warmEvaluation().catch((error: unknown) => logger.warn({ err: error }, 'could not prepare the checks ahead of the first email; it prepares them itself'));
      const workerId = newWorkerId();
      const metrics = createMetrics();
      const mailboxes = mailboxFacts(config);
      const deps = { db, workerId, clock, logger };
      const deliveries = startDeliveryWorker({ db, config, logger, clock, metrics, workerId });
      // Every IMAP login of the process — watchers, drafts, keywords — waits its turn here
      // (ingest.connect_concurrency), and a server refusing logins backs off for all of them.
      const gate = loginGate(config.ingest);
      // Replies share the classifier's rate budget: one limit for every model request of the process.
      const limiter = (classifier as { limiter?: RateLimiter }).limiter;
      const drafts = startDraftWorker({ db, config, logger, clock, workerId, gate, secretBox: pipelineSecretBox(config), ...(limiter ? { limiter } : {}) });
      // What this process learns of each server's keyword support, shared by the watchers, the pipeline and the keyword worker.
      const keywordSupport = createKeywordSupport(logger);
      const keywordWork = keywordHandler({ db, mailboxes, logger, clock, support: keywordSupport, gate });
      const keywords = createRunner(deps, keywordWork);
      keywords.start();
      // Shadow mode: the candidate is asked after each live decision by its own worker, with its own
      // limiter, and takes no new job while live mail waits for a model slot.
      const candidate = await createShadowCandidate(config, { logger, db, local });
      const shadow = candidate ? startShadowWorker(shadowContext(config, { db, candidate, logger, clock, liveBusy: () => (limiter?.waiting ?? 0) > 0 }), { workerId }) : null;
      if (candidate) logger.info({ candidate: candidate.name }, 'shadow mode: live mail is classified by the candidate too, after each decision; nothing it decides is acted on');
      const effects = [
        ticketEffect({ rawEmailUrl: (emailId, now) => rawEmailUrl(config, emailId, now), wake: deliveries.wake }),
        draftEffect({ mailboxes, enabled: config.drafts.mode !== 'off', wake: drafts.wake }),
        keywordEffect({ enabled: config.ingest.keywords, wake: keywords.wake, support: keywordSupport }),
        ...(candidate && shadow ? [shadowEffect({ candidate: candidate.name, wake: shadow.wake })] : []),
      ];
      const pipelineCtx = createPipelineContext({ db, config, classifier, logger, clock, metrics, effects });
      // With a model over the network, twice its slots in flight: with exactly as many, a slot sat
      // idle while its message was parsed, stored and decided, and messages that left the model
      // together queued for the one JavaScript thread (500 ms model, concurrency 16: the model was
      // busy 85 % of the time once started, 98-99 % with twice). The limiter still lets only
      // classifier.concurrency requests out at once. (Tried before and reverted while a `triage`
      // beside the service could end without its email's decision; triage now claims an email it
      // finds pending and free again, see settledElsewhere in pipeline/triage-files.ts.)
      const inFlight = classifier.name === 'openai' ? 2 * config.classifier.concurrency : config.classifier.concurrency;
      const pipeline = startPipelineWorker(pipelineCtx, { workerId, concurrency: Math.max(config.ingest.workers, inFlight) });
      const modelProbe = llmProbe(resolveLlmEndpoint(config.classifier));
      // Mail postponed while the model was down goes on as soon as it answers again, not at its backed-off time.
      const modelWatch = createModelWatch({ db, probe: () => modelProbe.probe(), clock, logger, wake: () => pipeline.wake() });
      pipelineCtx.modelWatch = modelWatch;
      modelWatch.start();
      const watchers = startMailboxWatchers({
        db,
        config,
        logger,
        metrics,
        processId: workerId,
        onStored: () => pipeline.wake(),
        keywordSupport,
        gate,
        tuning: { leaseTtlMs: config.ingest.lease_ttl },
      });
      // Corrections made in the mail client (keywords, folders) are heard on connections of their own.
      const corrections = startImapCorrections({ db, config, logger, clock, gate, onEvent: () => deliveries.wake() });
      observeDatabase(metrics, db, {
        clock,
        logger,
        cascadeConfidence: local ? config.classifier.local.cascade_confidence : undefined,
        ...(candidate ? { shadowCandidate: candidate.name } : {}),
      });
      const readiness = createReadiness({ db, mailboxes: () => watchers.status(), ingest: () => watchers.summary(), llm: modelProbe, observedLlm: () => modelWatch.state(), clock, logger });
      const api = config.api.enabled ? await startApiServer({ db, config, logger, readiness, metrics, clock, wakeDeliveries: deliveries.wake }) : null;
      if (api) logger.info({ url: api.url }, 'HTTP API listening');
      if (config.mailboxes.length === 0) {
        logger.warn('no mailboxes configured: processing stored messages and deliveries only (add mailboxes: to the configuration)');
      }
      logger.info({ database: describeDatabase(config.database), mailboxes: config.mailboxes.map((m) => m.name) }, 'mailroom running');

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
      clearInterval(retrain);
      modelWatch.stop();
      if (analyzeTimer) clearInterval(analyzeTimer);
      // Stop accepting first, then let the stages finish what they hold.
      await served?.close();
      await api?.close();
      await watchers.stop();
      await corrections.stop();
      await Promise.all([pipeline, deliveries, drafts, keywords, ...(shadow ? [shadow] : [])].map((runner) => runner.stop(SHUTDOWN_DEADLINE_MS)));
      await keywordWork.close();
      await candidate?.classifier.close?.();
      await candidate?.close();
      gate.close();
      await classifier.close?.();
      await local?.close();
      await app.close();
      logger.info('stopped');
    });
}

/** Raw message files a crash left without a row (src/db/raw-store.ts): invisible, removed here; nothing on PostgreSQL. */
async function sweepRaw(db: Db, logger: Logger): Promise<void> {
  try {
    const { removed } = await sweepRawStore(db);
    if (removed > 0) logger.info({ removed }, 'removed raw message files that no stored message names (left by an interrupted write or deletion)');
  } catch (error) {
    logger.warn({ err: error }, 'could not check the raw message store for files left by an interrupted write; they take only disk space');
  }
}

async function releaseDeadClaims(db: Db, logger: Logger): Promise<void> {
  try {
    for (const holder of await releaseDeadLocalClaims(db, { ownPid: false })) logger.info({ holder }, 'released the claims of a Mailroom process on this host that is no longer running');
  } catch (error) {
    logger.warn({ err: error }, 'could not check for claims of dead processes');
  }
}

async function releaseDead(db: Db, logger: Logger, ownPid: boolean): Promise<void> {
  try {
    const holders = [...new Set([...(await releaseDeadLocalClaims(db, { ownPid })), ...(await releaseDeadLocalLeases(db, { ownPid }))])];
    for (const holder of holders) logger.info({ holder }, 'released the claims and leases of a Mailroom process on this host that is no longer running');
  } catch (error) {
    logger.warn({ err: error }, 'could not check for claims of dead processes');
  }
}

/** The webhook secrets' key, opened on first use: it also seals and opens the placeholder mappings of redacted emails. */
function pipelineSecretBox(config: Parameters<typeof secretBoxFromConfig>[0]): () => SecretBox {
  let box: SecretBox | null = null;
  return () => (box ??= secretBoxFromConfig(config));
}
