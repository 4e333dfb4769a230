/**
 * @module worker/plugins/storage
 * Decorates `storage` (BigQuery or the embedded DuckDB, per STORAGE_BACKEND). An injected
 * instance (tests) is used as is; otherwise it is opened from config. Either way the app owns it
 * from here: onClose flushes and closes it, after in-flight requests have finished. Every write
 * goes through `trackWrites`, so /ready sees a failing write path (issue 7, class 8).
 */
import fp from 'fastify-plugin';
import type { Storage } from '../../storage/storage.js';
import { trackWrites, type WriteHealth } from '../write-health.js';

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
    /** Whether the last storage write failed (GET /ready reports it): worker/write-health.ts. */
    writeHealth: WriteHealth;
  }
}

export interface StoragePluginOptions {
  storage?: Storage | undefined;
}

export default fp<StoragePluginOptions>(
  async (app, opts) => {
    const opened = opts.storage ?? (await (await import('../../storage/open.js')).openStorage(app.config, { thread: app.config.EMBEDDED_STORAGE_THREAD }));
    app.log.info({ storage: opened.kind, location: opened.location }, 'storage opened');
    const { storage, health } = trackWrites(opened);
    app.decorate('storage', storage);
    app.decorate('writeHealth', health);
    app.addHook('onClose', async () => {
      await storage.close();
    });
  },
  { name: 'storage', dependencies: ['config'], fastify: '5.x' },
);
