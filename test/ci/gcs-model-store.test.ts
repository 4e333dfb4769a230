/**
 * CI suite: ModelStore against fake-gcs-server through the real @google-cloud/storage client.
 * Uses FAKE_GCS_ENDPOINT when set (.ci/run); otherwise starts /root/go/bin/fake-gcs-server
 * (or FAKE_GCS_SERVER_BIN) on a free loopback port. With CI=true a missing server fails the suite.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Storage } from '@google-cloud/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPwError } from '../../src/errors.js';
import { V9_FEATURE_NAMES } from '../../src/features/contract.js';
import { loadPredictor } from '../../src/models/load-predictor.js';
import { createModelSet } from '../../src/models/model-set-loader.js';
import { ModelStore, createStorageClient, gcsObjectSource, modelStoreFromConfig, type ObjectSource } from '../../src/models/model-store.js';
import { recordingLogger, registryEntry, tempDir, tinyCatBoostJson } from '../models/helpers.js';
import { parseRegistry } from '../../config/registry.js';

const BIN = process.env.FAKE_GCS_SERVER_BIN ?? '/root/go/bin/fake-gcs-server';
const available = Boolean(process.env.FAKE_GCS_ENDPOINT) || existsSync(BIN);
if (!available && process.env.CI === 'true') {
  throw new Error(`fake-gcs-server not available: set FAKE_GCS_ENDPOINT or install ${BIN}`);
}

const BUCKET = 'pw-models-ci';
let endpoint: string;
let server: ChildProcess | undefined;
let client: Storage;
let dir: string;
let cleanup: () => void;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/storage/v1/b`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`fake-gcs-server at ${url} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Wraps the real object source to count metadata calls and downloads. */
function counting(source: ObjectSource) {
  const counts = { stats: 0, downloads: 0 };
  const wrapped: ObjectSource = {
    stat: (b, o) => (counts.stats++, source.stat(b, o)),
    download: (b, o, v, d) => (counts.downloads++, source.download(b, o, v, d)),
  };
  return { counts, wrapped };
}

const modelBytes = (bias: number) => Buffer.from(tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias }));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe.skipIf(!available)('ModelStore on fake-gcs-server', () => {
  beforeAll(async () => {
    ({ dir, cleanup } = tempDir('pw-gcs-ci-'));
    if (process.env.FAKE_GCS_ENDPOINT) {
      endpoint = process.env.FAKE_GCS_ENDPOINT.replace(/\/+$/, '');
    } else {
      const port = await freePort();
      endpoint = `http://127.0.0.1:${port}`;
      server = spawn(BIN, ['-scheme', 'http', '-backend', 'memory', '-host', '127.0.0.1', '-port', String(port), '-log-level', 'error'], {
        stdio: 'ignore',
      });
    }
    await waitReady(endpoint);
    client = await createStorageClient({ STORAGE_EMULATOR_HOST: endpoint, GCP_PROJECT_ID: 'pw-test' });
    const [exists] = await client.bucket(BUCKET).exists();
    if (!exists) await client.createBucket(BUCKET);
  });

  afterAll(() => {
    server?.kill('SIGTERM');
    cleanup?.();
  });

  it('downloads a gs:// model, reuses the cache without downloading, re-downloads when the object changes', async () => {
    const v1 = modelBytes(11);
    await client.bucket(BUCKET).file('catboost/v9/champ.json').save(v1, { resumable: false });
    const { counts, wrapped } = counting(gcsObjectSource(client));
    const store = new ModelStore({ cacheDir: join(dir, 'cache-a'), objects: wrapped });

    const first = await store.fetch(`gs://${BUCKET}/catboost/v9/champ.json`);
    expect(first).toMatchObject({ source: 'download', sha256: sha(v1), sizeBytes: v1.length });
    expect(readFileSync(first.localPath).equals(v1)).toBe(true);
    expect(JSON.parse(readFileSync(`${first.localPath}.meta.json`, 'utf8'))).toMatchObject({ sha256: sha(v1), bucket: BUCKET });

    const second = await store.fetch(`gs://${BUCKET}/catboost/v9/champ.json`);
    expect(second).toMatchObject({ source: 'cache', sha256: sha(v1) });
    expect(counts).toEqual({ stats: 2, downloads: 1 });

    // A new store on the same cache dir (a restarted worker) also reuses it.
    const restarted = counting(gcsObjectSource(client));
    const again = await new ModelStore({ cacheDir: join(dir, 'cache-a'), objects: restarted.wrapped }).fetch(`gs://${BUCKET}/catboost/v9/champ.json`);
    expect(again.source).toBe('cache');
    expect(restarted.counts.downloads).toBe(0);

    const v2 = modelBytes(12);
    await client.bucket(BUCKET).file('catboost/v9/champ.json').save(v2, { resumable: false });
    const third = await store.fetch(`gs://${BUCKET}/catboost/v9/champ.json`);
    expect(third).toMatchObject({ source: 'download', sha256: sha(v2) });
    expect(readFileSync(third.localPath).equals(v2)).toBe(true);
    expect(counts.downloads).toBe(2);
  });

  it('loads a predictor from gs:// through the config-built store', async () => {
    await client.bucket(BUCKET).file('monthly/m.json').save(modelBytes(21.5), { resumable: false });
    const store = modelStoreFromConfig({ STORAGE_EMULATOR_HOST: endpoint, GCP_PROJECT_ID: 'pw-test', MODEL_CACHE_DIR: join(dir, 'cache-b') });
    const p = await loadPredictor({ path: `gs://${BUCKET}/monthly/m.json`, engine: 'auto', store, featureSet: V9_FEATURE_NAMES });
    expect(p.localPath.startsWith(join(dir, 'cache-b'))).toBe(true);
    const out = await p.predict(new Float64Array(33), 1);
    expect(out[0]).toBe(21.5);
  });

  it('refuses a declared sha256 mismatch and reports a missing object as NOT_FOUND', async () => {
    const bytes = modelBytes(3);
    await client.bucket(BUCKET).file('catboost/v9/pinned.json').save(bytes, { resumable: false });
    const store = modelStoreFromConfig({ STORAGE_EMULATOR_HOST: endpoint, MODEL_CACHE_DIR: join(dir, 'cache-c') });
    const wrong = await store.fetch(`gs://${BUCKET}/catboost/v9/pinned.json`, { expectedSha256: sha(modelBytes(4)) }).catch((e: unknown) => e);
    expect(isPwError(wrong, 'PW_ERR_MODEL_SHA256')).toBe(true);
    expect((wrong as Error).message).toContain(sha(bytes));
    await expect(store.fetch(`gs://${BUCKET}/catboost/v9/pinned.json`, { expectedSha256: sha(bytes) })).resolves.toMatchObject({ sha256: sha(bytes) });

    const missing = await store.fetch(`gs://${BUCKET}/catboost/v9/absent.json`).catch((e: unknown) => e);
    expect(isPwError(missing, 'PW_ERR_MODEL_NOT_FOUND')).toBe(true);
  });

  it('reports an unreachable endpoint as a retryable PW_ERR_MODEL_FETCH', async () => {
    const port = await freePort(); // nothing listens there
    const store = modelStoreFromConfig({ STORAGE_EMULATOR_HOST: `http://127.0.0.1:${port}`, MODEL_CACHE_DIR: join(dir, 'cache-d') });
    const err = await store.fetch(`gs://${BUCKET}/catboost/v9/champ.json`).catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_MODEL_FETCH')).toBe(true);
    expect((err as { retryable: boolean }).retryable).toBe(true);
  });

  it('builds a ModelSet from gs:// paths, one download for a file two entries share', async () => {
    await client.bucket(BUCKET).file('set/champ.json').save(modelBytes(10), { resumable: false });
    await client.bucket(BUCKET).file('set/shared.json').save(modelBytes(20), { resumable: false });
    const { counts, wrapped } = counting(gcsObjectSource(client));
    const store = new ModelStore({ cacheDir: join(dir, 'cache-e'), objects: wrapped });
    const set = await createModelSet({
      championPath: `gs://${BUCKET}/set/champ.json`,
      registry: parseRegistry({ catboost_v9_a: registryEntry(`gs://${BUCKET}/set/shared.json`), catboost_v9_b: registryEntry(`gs://${BUCKET}/set/shared.json`) }),
      store,
      engine: 'auto',
      logger: recordingLogger(),
    });
    expect(set.status().map((s) => s.state)).toEqual(['loaded', 'loaded', 'loaded']);
    expect(counts.downloads).toBe(2);
    const results = await set.predictAll(new Float64Array(33));
    expect(results.map((r) => r.ok && r.value)).toEqual([10, 20, 20]);
    await set.close();
  });
});
