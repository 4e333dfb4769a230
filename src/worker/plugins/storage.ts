/**
 * @module worker/plugins/storage
 * Decorates `storage` (BigQuery or the embedded DuckDB, per STORAGE_BACKEND). An injected
 * instance (tests) is used as is; otherwise it is opened from config. Either way the app owns it
 * from here: onClose flushes and closes it, after in-flight requests have finished.
 */
import fp from 'fastify-plugin';
import type { Storage } from '../../storage/storage.js';

declare module 'fastify' {
  interface FastifyInstance {
    storage: Storage;
  }
}

export interface StoragePluginOptions {
  storage?: Storage | undefined;
}

export default fp<StoragePluginOptions>(
  async (app, opts) => {
    const storage = opts.storage ?? (await (await import('../../storage/open.js')).openStorage(app.config));
    app.log.info({ storage: storage.kind, location: storage.location }, 'storage opened');
    app.decorate('storage', storage);
    app.addHook('onClose', async () => {
      await storage.close();
    });
  },
  { name: 'storage', dependencies: ['config'], fastify: '5.x' },
);
