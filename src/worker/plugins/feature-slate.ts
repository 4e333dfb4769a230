/**
 * @module worker/plugins/feature-slate
 * Decorates `featureSlate`: the per-date feature-store cache (src/features/slate-cache.ts) over
 * `storage.features`, with the TTLs from config and "today" in SLATE_TIME_ZONE.
 */
import fp from 'fastify-plugin';
import { createFeatureSlateCache, type FeatureSlateCache } from '../../features/slate-cache.js';
import { todayIn } from '../slate-date.js';

declare module 'fastify' {
  interface FastifyInstance {
    featureSlate: FeatureSlateCache;
  }
}

export default fp(
  async (app) => {
    const { config, storage } = app;
    // Fail at boot, not on every request, when SLATE_TIME_ZONE is not a real zone.
    todayIn(config.SLATE_TIME_ZONE);
    app.decorate(
      'featureSlate',
      createFeatureSlateCache({
        features: storage.features,
        ttlSeconds: config.FEATURE_CACHE_TTL_SECONDS,
        ttlPastSeconds: config.FEATURE_CACHE_TTL_PAST_SECONDS,
        reloadIntervalMs: config.SLATE_RELOAD_INTERVAL_MS,
        today: () => todayIn(config.SLATE_TIME_ZONE),
      }),
    );
    app.addHook('onClose', async () => {
      app.featureSlate.clear();
    });
  },
  { name: 'feature-slate', dependencies: ['config', 'storage'], fastify: '5.x' },
);
