/**
 * @module worker/server
 * The worker's entry point and the only file that reads process.env: parse config once, create
 * the Cloud Logging-format pino logger, build the app (which opens storage and loads the model
 * set), listen on HOST:PORT, and on SIGTERM/SIGINT close gracefully: stop accepting, finish
 * in-flight requests, flush and close storage, exit 0 — or exit 1 if that takes longer than
 * SHUTDOWN_GRACE_MS (8 s by default, inside Cloud Run's 10 s before SIGKILL). A fatal error (an
 * uncaught one, or the embedded storage thread dying) closes the same way and exits 1.
 *
 * `npm start` runs it with config/local.env (embedded storage, PUSH_AUTH=off).
 */
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { loadConfig } from '../../config/env.js';
import { describeError } from '../errors.js';
import { buildApp } from './app.js';
import { cloudLoggingOptions } from './logging.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    // No logger yet: one structured line on stderr, in the same format.
    process.stderr.write(`${JSON.stringify({ severity: 'CRITICAL', message: describeError(err) })}\n`);
    process.exit(1);
  }
  const logger = pino(cloudLoggingOptions(config.LOG_LEVEL));
  logger.info({ build_commit: config.BUILD_COMMIT, revision: config.K_REVISION, storage: config.STORAGE_BACKEND }, 'worker starting');

  const app = buildApp({
    config,
    logger,
    fastify: { trustProxy: true },
    // The storage thread died: this process can store nothing any more. Raised as an uncaught
    // error, it takes close-with-grace's error path below (logged, in-flight requests answered,
    // exit 1), so Cloud Run starts a new instance, whose open replays the ingest log: no
    // acknowledged write is lost, and no instance stays up answering every push with 503.
    onStorageLost: (err) => {
      process.nextTick(() => {
        throw err;
      });
    },
  });

  closeWithGrace(
    { delay: config.SHUTDOWN_GRACE_MS, logger: { error: (m: unknown) => logger.error({ reason: describeError(m) }, 'shutdown problem') } },
    async ({ signal, err }) => {
      if (err) logger.error({ err }, 'fatal error; closing');
      else logger.info({ signal }, 'shutting down: finishing in-flight requests');
      await app.close();
      logger.info('closed');
    },
  );

  try {
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    logger.fatal({ err, reason: describeError(err) }, 'worker failed to start');
    await app.close().catch(() => undefined);
    process.exit(1);
  }
}

void main();
