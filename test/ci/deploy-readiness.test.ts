/**
 * What Cloud Run's startup probe sees (deploy/service.yaml: GET /ready), with the production
 * configuration shape: the real entry point (src/worker/server.ts) as a child process,
 * STORAGE_BACKEND=bigquery on goccy/bigquery-emulator, a gs:// champion on fake-gcs-server,
 * PUSH_AUTH=on with audience and service accounts. Checks:
 *   - before `bigquery init`: /health 200 (liveness), /ready 503 naming the missing tables;
 *   - after init: /ready 200 with the champion's sha256;
 *   - a champion that cannot load (wrong declared sha256, missing object): /ready stays 503 with
 *     the reason, so such a revision never passes the probe and never receives traffic.
 * Needs BIGQUERY_EMULATOR_ENDPOINT and FAKE_GCS_ENDPOINT (.ci/services.sh); fails when CI=true
 * and they are missing. Nothing contacts Google (emulator endpoints, metadata tripwire).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../worker/helper.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorageClient } from '../../src/models/model-store.js';
import { main } from '../../src/cli/index.js';

const bq = process.env.BIGQUERY_EMULATOR_ENDPOINT;
const gcs = process.env.FAKE_GCS_ENDPOINT;
const projectId = process.env.BIGQUERY_EMULATOR_PROJECT ?? 'pw-test';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const CHAMPION = readFileSync(join(REPO, 'models/catboost_v9_demo_champion.cbm'));
const CHAMPION_SHA = createHash('sha256').update(CHAMPION).digest('hex');
const BUCKET = 'pw-deploy-ci';
const suffix = randomBytes(3).toString('hex');
const DATASETS = { BIGQUERY_DATASET: `rw_${suffix}`, BIGQUERY_FEATURES_DATASET: `rf_${suffix}`, BIGQUERY_ACTUALS_DATASET: `ra_${suffix}`, BIGQUERY_COMPAT_DATASET: `rc_${suffix}` };
const dir = mkdtempSync(join(tmpdir(), 'pw-readiness-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  // Graceful stop (SIGTERM → the worker finishes in-flight requests): killing a worker in the
  // middle of an emulator request has left goccy/bigquery-emulator answering "sql: connection is
  // already closed" to every later suite.
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          const force = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => (clearTimeout(force), resolve()));
          c.kill('SIGTERM');
        }),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
});


/** Start the worker with the production env shape; resolve once /health answers. */
async function startWorker(env: Record<string, string>): Promise<{ base: string; output: string[] }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/server.ts'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      METADATA_SERVER_DETECTION: 'none',
      GCE_METADATA_HOST: '127.0.0.1:1',
      PORT: String(port),
      HOST: '127.0.0.1',
      STORAGE_BACKEND: 'bigquery',
      GCP_PROJECT_ID: projectId,
      BIGQUERY_API_ENDPOINT: bq!,
      STORAGE_EMULATOR_HOST: gcs!,
      MODEL_CACHE_DIR: join(dir, `cache-${port}`),
      PUSH_AUTH: 'on',
      PUSH_AUDIENCE: 'https://prediction-worker-123456789.us-west2.run.app',
      PUSH_SERVICE_ACCOUNTS: 'prediction-worker-push@pw-test.iam.gserviceaccount.com,prediction-worker-scheduler@pw-test.iam.gserviceaccount.com',
      LOG_LEVEL: 'warn',
      ...DATASETS,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  child.stdout!.on('data', (c) => output.push(String(c)));
  child.stderr!.on('data', (c) => output.push(String(c)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${output.join('')}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { base, output };
    } catch {
      // not listening yet
    }
    if (i > 600) throw new Error(`worker did not answer /health: ${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function ready(base: string): Promise<{ status: number; body: { status: string; reasons: string[]; champion: { sha256: string } | null } }> {
  const res = await fetch(`${base}/ready`);
  return { status: res.status, body: (await res.json()) as never };
}

/**
 * Probe /ready like Cloud Run's startup probe (deploy/service.yaml: up to 36 probes) until `done`
 * (or the last probe). The probe count, not the time, is the bound: a first probe may time out
 * while the schema check runs on a slow emulator; a later one gets its result.
 */
type Probe = Awaited<ReturnType<typeof ready>>;
async function probeUntil(base: string, done: (p: Probe) => boolean, probes = 36): Promise<Probe> {
  let last = await ready(base);
  for (let i = 1; i < probes && !done(last); i++) {
    await new Promise((r) => setTimeout(r, 500));
    last = await ready(base);
  }
  return last;
}

const missing = !bq || !gcs;
if (missing && process.env.CI === 'true') {
  it('emulators are running', () => expect.fail('BIGQUERY_EMULATOR_ENDPOINT and FAKE_GCS_ENDPOINT must be set (.ci/services.sh start_services)'));
}

describe.skipIf(missing)('readiness as the startup probe sees it (bigquery-emulator + fake-gcs-server)', () => {
  it('a gs:// champion and missing tables: liveness passes, readiness names the tables; after bigquery init it is ready', async () => {
    const gcsClient = await createStorageClient({ STORAGE_EMULATOR_HOST: gcs, GCP_PROJECT_ID: projectId });
    const [exists] = await gcsClient.bucket(BUCKET).exists();
    if (!exists) await gcsClient.createBucket(BUCKET);
    await gcsClient.bucket(BUCKET).file('catboost/v9/champion.cbm').save(CHAMPION, { resumable: false });

    const { base } = await startWorker({ CATBOOST_V9_MODEL_PATH: `gs://${BUCKET}/catboost/v9/champion.cbm`, CATBOOST_V9_MODEL_SHA256: CHAMPION_SHA });
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const before = await probeUntil(base, (p) => !p.body.reasons.join(' ').includes('no answer within'));
    expect(before.status).toBe(503);
    expect(before.body.reasons.join(' ')).toContain(`${DATASETS.BIGQUERY_DATASET}.player_prop_predictions does not exist`);
    expect(before.body.reasons.join(' ')).toContain('run `cli bigquery init`');
    expect(before.body.champion?.sha256).toBe(CHAMPION_SHA); // the champion itself loaded from gs://

    let out = '';
    const code = await main(['bigquery', 'init'], { out: (t) => void (out += t), err: (t) => void (out += t), cwd: REPO, env: { GCP_PROJECT_ID: projectId, BIGQUERY_API_ENDPOINT: bq, ...DATASETS } });
    expect(code, out).toBe(0);
    const after = await probeUntil(base, (p) => p.status === 200);
    expect(after.body.reasons).toEqual([]);
    expect(after.status).toBe(200);
    expect(after.body.champion?.sha256).toBe(CHAMPION_SHA);
  });

  it('a champion that cannot load (wrong sha256, missing object) keeps /ready at 503 with the reason', async () => {
    const wrongSha = await startWorker({ CATBOOST_V9_MODEL_PATH: `gs://${BUCKET}/catboost/v9/champion.cbm`, CATBOOST_V9_MODEL_SHA256: 'f'.repeat(64) });
    const a = await ready(wrongSha.base);
    expect(a.status).toBe(503);
    expect(a.body.champion).toBeNull();
    expect(a.body.reasons.join(' ')).toMatch(/champion catboost_v9 not loaded: .*sha256/);

    const gone = await startWorker({ CATBOOST_V9_MODEL_PATH: `gs://${BUCKET}/catboost/v9/overwritten-or-deleted.cbm` });
    const b = await ready(gone.base);
    expect(b.status).toBe(503);
    expect(b.body.reasons.join(' ')).toMatch(/champion catboost_v9 not loaded: .*overwritten-or-deleted\.cbm/);
  });
});
