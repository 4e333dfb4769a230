/**
 * @module worker/plugins/model-set
 * Decorates `modelSet`: the champion plus every enabled MONTHLY_MODELS challenger, loaded once at
 * boot (never on the request path). The registry is read with the strict parser of `registry
 * check` (worker/registry-source.ts); gs:// models need a declared sha256 unless PUSH_AUTH=off. An injected set (tests) is used as is. onClose releases the
 * loaded models (ONNX sessions).
 */
import fp from 'fastify-plugin';
import type { ModelSet } from '../../models/model-set.js';

declare module 'fastify' {
  interface FastifyInstance {
    modelSet: ModelSet;
  }
}

export interface ModelSetPluginOptions {
  modelSet?: ModelSet | undefined;
  /** The registry source file (tests); default config/monthly-models.ts (worker/registry-source.ts). */
  registryFile?: string | undefined;
}

export default fp<ModelSetPluginOptions>(
  async (app, opts) => {
    let modelSet = opts.modelSet;
    if (!modelSet) {
      const [{ createModelSet }, { modelStoreFromConfig }, { loadWorkerRegistry }] = await Promise.all([
        import('../../models/model-set-loader.js'),
        import('../../models/model-store.js'),
        import('../registry-source.js'),
      ]);
      const config = app.config;
      // The same strict parser as `registry check`: a duplicate key refuses to start (issue 7).
      const { registry, source } = await loadWorkerRegistry(opts.registryFile);
      app.log.info({ registry_source: source, entries: Object.keys(registry).length }, 'registry read');
      modelSet = await createModelSet({
        championPath: config.CATBOOST_V9_MODEL_PATH,
        championSha256: config.CATBOOST_V9_MODEL_SHA256,
        registry,
        store: modelStoreFromConfig(config),
        engine: config.MODEL_ENGINE,
        logger: app.log,
        requireSha256ForRemote: config.PUSH_AUTH === 'on',
      });
    }
    if (!modelSet.champion) app.log.error('champion not loaded: /ready answers 503 and /predict retries (see GET /models)');
    app.decorate('modelSet', modelSet);
    app.addHook('onClose', async () => {
      await modelSet.close();
    });
  },
  { name: 'model-set', dependencies: ['config'], fastify: '5.x' },
);
