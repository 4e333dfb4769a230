/**
 * @module worker/app
 * The worker as a Fastify plugin that never listens: plugins first (config, model set while the
 * storage opens alongside, storage, feature slate, push auth), then routes, with one central error handler. `buildApp` makes an
 * instance around it; tests inject real objects (in-memory DuckDB storage, a loaded ModelSet)
 * and drive it with `inject`; src/worker/server.ts adds the logger, graceful close and listen.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../config/env.js';
import type { PwError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import type { ModelSet } from '../models/model-set.js';
import type { OAuth2Client } from 'google-auth-library';
import configPlugin from './plugins/config.js';
import storagePlugin, { openWorkerStorage } from './plugins/storage.js';
import modelSetPlugin from './plugins/model-set.js';
import featureSlatePlugin from './plugins/feature-slate.js';
import pushAuthPlugin from './plugins/push-auth.js';
import predictRoute from './routes/predict.js';
import healthRoutes from './routes/health.js';
import modelsRoute from './routes/models.js';
import jobsRoutes from './routes/jobs.js';
import predictionsRoute from './routes/predictions.js';
import { errorHandler } from './error-handler.js';
import { requestLogController, traceBindings } from './logging.js';

export interface AppOptions {
  config: Config;
  /** Injected storage (tests); default: opened from config. The app closes it on close. */
  storage?: Storage | undefined;
  /** Injected model set (tests); default: loaded from config + MONTHLY_MODELS. Closed on close. */
  modelSet?: ModelSet | undefined;
  /** Injected OIDC verifier client (tests); default: made from config. */
  oauthClient?: OAuth2Client | undefined;
  /** Body limit above which fastify refuses to read /predict bodies (tests lower it). */
  hardBodyLimit?: number | undefined;
  /** MONTHLY_MODELS source file (tests); default config/monthly-models.ts. */
  registryFile?: string | undefined;
  /**
   * Called once if the embedded storage thread dies (a crash, its heap limit): nothing can be
   * stored any more, and server.ts exits so that the platform replaces the instance. Default: every
   * push is answered 503 (retryable) and /ready reports it.
   */
  onStorageLost?: ((err: PwError) => void) | undefined;
}

export const app: FastifyPluginAsync<AppOptions> = async (instance, opts) => {
  instance.setErrorHandler(errorHandler);
  // A callback hook, not an async one: no promise and microtask per request (issue 10).
  instance.addHook('onRequest', (request, _reply, done) => {
    const bindings = traceBindings(request.headers['x-cloud-trace-context'], opts.config.GCP_PROJECT_ID);
    if (bindings) request.log = request.log.child(bindings);
    done();
  });

  await instance.register(configPlugin, { config: opts.config });
  // The storage opens (the embedded store starts its thread, ~0.3 s) while the models load: the
  // two overlap instead of adding up in the cold start. Closing the app closes it even when loading
  // the models failed and the storage plugin never took it (closing twice is harmless).
  const opening = opts.storage ? undefined : openWorkerStorage(opts.config, opts.onStorageLost);
  if (opening) {
    opening.catch(() => undefined); // its error is reported by the storage plugin, which awaits it
    instance.addHook('onClose', async () => {
      await (await opening.catch(() => undefined))?.close();
    });
  }
  await instance.register(modelSetPlugin, { modelSet: opts.modelSet, registryFile: opts.registryFile });
  await instance.register(storagePlugin, { storage: opts.storage, opening });
  await instance.register(featureSlatePlugin);
  await instance.register(pushAuthPlugin, { oauthClient: opts.oauthClient });

  await instance.register(healthRoutes);
  await instance.register(modelsRoute);
  await instance.register(predictRoute, { hardBodyLimit: opts.hardBodyLimit });
  await instance.register(jobsRoutes);
  await instance.register(predictionsRoute);
};

export interface BuildAppOptions extends AppOptions {
  /** A pino logger (server.ts) or fastify logger options; default: no logging. */
  logger?: FastifyServerOptions['loggerInstance'];
  fastify?: Omit<FastifyServerOptions, 'logger' | 'loggerInstance'>;
}

/** A ready-to-use (not listening) worker. The caller awaits `ready()`/`listen()` and `close()`. */
export function buildApp(options: BuildAppOptions): FastifyInstance {
  const { logger, fastify, ...appOptions } = options;
  const instance = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    logController: requestLogController(),
    ...fastify,
  }) as unknown as FastifyInstance;
  // fp keeps the decorators (config, storage, …) visible on the returned instance.
  void instance.register(fp(app, { name: 'prediction-worker' }), appOptions);
  return instance;
}
