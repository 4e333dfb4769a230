/**
 * @module worker/plugins/storage
 * Decorates `storage` (BigQuery or the embedded DuckDB, per STORAGE_BACKEND). An injected
 * instance (tests) is used as is; otherwise it is opened from config, or awaited when app.ts
 * started the open earlier (`opening`). Either way the app owns it
 * from here: onClose flushes and closes it, after in-flight requests have finished. Every write
 * goes through `trackWrites`, so /ready sees a failing write path (issue 7, class 8).
 */
import fp from 'fastify-plugin';
import type { Config } from '../../../config/env.js';
import type { PwError } from '../../errors.js';
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
  /** An open already under way (app.ts starts it before loading the models, so the two overlap). */
  opening?: Promise<Storage> | undefined;
}

/**
 * Open the configured storage as the worker does (the embedded store on its storage thread);
 * `onLost` is called once if that thread dies (storage/duckdb/storage-thread.ts).
 */
export async function openWorkerStorage(config: Config, onLost?: (err: PwError) => void): Promise<Storage> {
  const { openStorage } = await import('../../storage/open.js');
  return openStorage(config, { thread: config.EMBEDDED_STORAGE_THREAD, onLost });
}

export default fp<StoragePluginOptions>(
  async (app, opts) => {
    const opened = opts.storage ?? (await (opts.opening ?? openWorkerStorage(app.config)));
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
