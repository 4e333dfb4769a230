// The server half of bench:worker, run by plain Node over the BUILT worker (dist/): open the
// DuckDB file (through openStorage, as the worker does), load the champion (+ challengers), build the app with a pino logger at info
// writing to a file (as server.ts does to stdout), listen. The parent measures spawn → /ready.
// Argument: JSON { champion, challengers, storageThread, dataDir, cacheDir, port, logFile, root }.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const spec = JSON.parse(process.argv[2]);
const dist = (p) => import(pathToFileURL(join(spec.root, 'dist', p)).href);
const [{ pino }, { loadConfig }, { parseRegistry }, { buildApp }, { openStorage }, { createModelSet }, { ModelStore }, { cloudLoggingOptions }] =
  await Promise.all([
    import('pino'),
    dist('config/env.js'),
    dist('config/registry.js'),
    dist('src/worker/app.js'),
    dist('src/storage/open.js'),
    dist('src/models/model-set-loader.js'),
    dist('src/models/model-store.js'),
    dist('src/worker/logging.js'),
  ]);

const config = loadConfig({
  PUSH_AUTH: 'off', STORAGE_BACKEND: 'embedded', LOG_LEVEL: 'info', BUILD_COMMIT: 'bench', EMBEDDED_STORAGE_THREAD: String(spec.storageThread), WORKER_DATA_DIR: spec.dataDir,
});
const logger = pino(cloudLoggingOptions('info'), pino.destination({ dest: spec.logFile, sync: false }));
const registry = Object.fromEntries(
  spec.challengers.map((path, i) => [`catboost_v9_bench_${i + 1}`, {
    model_path: path, train_start: '2025-11-02', train_end: '2026-01-08', backtest_mae: 4.8, backtest_hit_rate_all: 55,
    backtest_hit_rate_edge_3plus: 60, backtest_n_edge_3plus: 100, enabled: true, description: 'bench',
  }]),
);
const [storage, modelSet] = await Promise.all([
  openStorage(config, { thread: config.EMBEDDED_STORAGE_THREAD }), // as the worker's storage plugin opens it
  createModelSet({
    championPath: spec.champion, registry: parseRegistry(registry), engine: 'native',
    logger, store: new ModelStore({ cwd: spec.root, cacheDir: spec.cacheDir }),
  }),
]);
const app = buildApp({ config, storage, modelSet, logger });
await app.listen({ host: '127.0.0.1', port: spec.port });
process.once('SIGTERM', () =>
  void app.close().then(
    () => { logger.flush(); process.exit(0); },
    (err) => { process.stderr.write(`worker-serve: close failed: ${err?.stack ?? err}\n`); logger.flush(); process.exit(2); },
  ));
