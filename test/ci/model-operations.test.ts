/**
 * CI suite (issue 11): the operator's whole model lifecycle through the CLI entry point against
 * fake-gcs-server and the embedded storage: `model upload` (content-addressed, never overwrites,
 * verified) and `model ls`, `evaluate --upload-path … --add`, `registry promote` (exact Cloud Run
 * command), a worker started from the same env file serving the promoted champion from the
 * bucket, `registry check --service-url` (no drift), `registry rollback` and `registry history`.
 * Uses FAKE_GCS_ENDPOINT when set (.ci/run); otherwise starts /root/go/bin/fake-gcs-server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import type { AddressInfo } from 'node:net';
import type { Storage as GcsClient } from '@google-cloud/storage';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { loadConfig } from '../../config/env.js';
import { createStorageClient } from '../../src/models/model-store.js';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { gradePredictions } from '../../src/grading/grade.js';
import { buildApp } from '../../src/worker/app.js';
import { parseRegistryText } from '../../src/lifecycle/registry-file.js';
import { CHAMPION_FILE, DEEP_FILE, REPO_ROOT, seedEvaluationDays } from '../helpers/lifecycle-seed.js';
import { actualRow, predictionRow } from '../helpers/post-game-rows.js';

const BIN = process.env.FAKE_GCS_SERVER_BIN ?? '/root/go/bin/fake-gcs-server';
const available = Boolean(process.env.FAKE_GCS_ENDPOINT) || existsSync(BIN);
if (!available && process.env.CI === 'true') throw new Error(`fake-gcs-server not available: set FAKE_GCS_ENDPOINT or install ${BIN}`);

const BUCKET = 'pw-model-ops-ci';
const PREFIX = `gs://${BUCKET}/catboost/v9/`;
const ID = 'catboost_v9_deep_ci';
const sha = (file: string) => createHash('sha256').update(readFileSync(join(REPO_ROOT, file))).digest('hex');
let endpoint: string;
let server: ChildProcess | undefined;
let client: GcsClient;
let tmp: string;

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => ok(port));
    });
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/storage/v1/b`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`fake-gcs-server at ${url} did not become ready`);
}

/** Runs the CLI as `npm run --silent cli -- …` would, in the repo, with this suite's environment. */
async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const env = { STORAGE_EMULATOR_HOST: endpoint, GCP_PROJECT_ID: 'pw-ci', WORKER_DATA_DIR: join(tmp, 'data'), MODEL_CACHE_DIR: join(tmp, 'cache'), AUDIT_ACTOR: 'ci-operator@example.com' };
  const code = await main([...argv, '--env-file', join(tmp, 'local.env')], { out: (s) => void (out += s), err: (s) => void (err += s), env, cwd: REPO_ROOT });
  return { code, out, err };
}

describe.skipIf(!available)('model operations on fake-gcs-server + embedded storage', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pw-modelops-ci-'));
    if (process.env.FAKE_GCS_ENDPOINT) endpoint = process.env.FAKE_GCS_ENDPOINT.replace(/\/+$/, '');
    else {
      const port = await freePort();
      endpoint = `http://127.0.0.1:${port}`;
      server = spawn(BIN, ['-scheme', 'http', '-backend', 'memory', '-host', '127.0.0.1', '-port', String(port), '-log-level', 'error'], { stdio: 'ignore' });
    }
    await waitReady(endpoint);
    client = await createStorageClient({ STORAGE_EMULATOR_HOST: endpoint, GCP_PROJECT_ID: 'pw-ci' });
    const [exists] = await client.bucket(BUCKET).exists();
    if (!exists) await client.createBucket(BUCKET);
  });
  afterAll(() => {
    server?.kill('SIGTERM');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('upload → ls → evaluate → promote → worker agrees → rollback, with the audit trail', async () => {
    // 1. Upload: content-addressed, verified, registry fields printed; idempotent; never overwrites.
    writeFileSync(join(tmp, 'local.env'), 'PUSH_AUTH=off\nSTORAGE_BACKEND=embedded\n');
    const champ = await cli('model', 'upload', CHAMPION_FILE, '--bucket', PREFIX, '--json');
    expect(champ.err).toBe('');
    const champDoc = JSON.parse(champ.out) as { model_path: string; sha256: string; created: boolean; verified_sha256: string };
    expect(champDoc).toMatchObject({ model_path: `${PREFIX}catboost_v9_demo_champion-${sha(CHAMPION_FILE)}.cbm`, sha256: sha(CHAMPION_FILE), created: true, verified_sha256: sha(CHAMPION_FILE) });
    const deep = await cli('model', 'upload', DEEP_FILE, '--bucket', PREFIX);
    const deepPath = `${PREFIX}catboost_v9_demo_deep-${sha(DEEP_FILE)}.cbm`;
    expect(deep.out).toContain(`uploaded ${DEEP_FILE} -> ${deepPath}`);
    expect(deep.out).toContain(`    model_path: '${deepPath}',\n    sha256: '${sha(DEEP_FILE)}',`);
    const [meta] = await client.bucket(BUCKET).file(deepPath.slice(`gs://${BUCKET}/`.length)).getMetadata();
    expect(meta.metadata?.sha256).toBe(sha(DEEP_FILE));
    expect((await cli('model', 'upload', DEEP_FILE, '--bucket', PREFIX)).out).toContain('already uploaded (identical bytes; nothing written)');
    // Someone put other bytes under the name: refused, and the object is left as it is.
    const q43 = 'models/catboost_v9_demo_q43.cbm';
    const q43Object = `catboost/v9/catboost_v9_demo_q43-${sha(q43)}.cbm`;
    await client.bucket(BUCKET).file(q43Object).save(Buffer.from('not the model'), { resumable: false });
    const clash = await cli('model', 'upload', q43, '--bucket', PREFIX);
    expect(clash.code).toBe(1);
    expect(clash.err).toMatch(/^error: PW_ERR_MODEL_EXISTS: /);
    expect((await client.bucket(BUCKET).file(q43Object).download())[0].toString()).toBe('not the model');
    for (const bad of ['s3://bucket/', `gs://${BUCKET}`]) expect((await cli('model', 'upload', DEEP_FILE, '--bucket', bad)).err).toMatch(/PW_ERR_GCS_PATH/);

    // The champion runs from the bucket, pinned by sha256 (the env file the worker and CLI share).
    writeFileSync(join(tmp, 'local.env'), `PUSH_AUTH=off\nSTORAGE_BACKEND=embedded\nCATBOOST_V9_MODEL_PATH=${champDoc.model_path}\nCATBOOST_V9_MODEL_SHA256=${champDoc.sha256}\n`);

    // 2. Evaluate on seeded days, add the entry with the uploaded path; later days graded in shadow.
    const registryFile = join(tmp, 'monthly-models.ts');
    writeFileSync(registryFile, readFileSync(join(REPO_ROOT, 'config/monthly-models.ts'), 'utf8'));
    const storage = await openDuckDbStorage({ path: join(tmp, 'data', 'prediction-worker.duckdb') });
    // A soft book (lines ±2) the model beats honestly: all seven gates pass, "too good to be true"
    // included (lines ±3.5 made it look leaked); the eval days end before the shadow days.
    const seeded = await seedEvaluationDays(storage, { warmupDays: 17, days: 6, lineShift: 2 });
    expect(seeded.dates.at(-1)! < '2026-02-12').toBe(true);
    const shadowDates = ['2026-02-12', '2026-02-13', '2026-02-14', '2026-02-15', '2026-02-16', '2026-02-17', '2026-02-18', '2026-02-19'];
    for (const date of shadowDates) {
      const preds = [];
      const actuals = [];
      for (let i = 0; i < 30; i++) {
        preds.push(predictionRow({ game_date: date, player_lookup: `p${i}`, predicted_points: 25, line_value: 20.5 }));
        preds.push(predictionRow({ game_date: date, system_id: ID, player_lookup: `p${i}`, predicted_points: 16, line_value: 20.5 }));
        actuals.push(actualRow({ game_date: date, player_lookup: `p${i}`, points: i < 20 ? 15 : 25 }));
      }
      await storage.accuracy.replaceDate(date, gradePredictions(preds, actuals, `${date}T23:00:00.000Z`));
    }
    await storage.close();
    const ev = await cli('evaluate', '--model', DEEP_FILE, '--name', 'DEEP_CI', '--system-id', ID, '--train-start', '2025-11-02', '--train-end', '2026-01-31',
      '--eval-start', seeded.dates[0]!, '--eval-end', seeded.dates.at(-1)!, '--upload-path', PREFIX, '--add', '--registry-file', registryFile);
    expect(ev.code, ev.err + ev.out).toBe(0);
    expect(ev.out).toContain(`ADDED to ${registryFile}`);
    expect(readFileSync(registryFile, 'utf8')).toContain(`model_path: '${deepPath}'`);

    const ls = await cli('model', 'ls', '--bucket', PREFIX, '--json', '--registry-file', registryFile);
    const listed = (JSON.parse(ls.out) as { models: Array<{ model_path: string; state: string; sha256: string }> }).models;
    expect(listed.map((m) => [m.model_path, m.state])).toEqual([
      [champDoc.model_path, 'champion'],
      [deepPath, 'enabled'],
      [`gs://${BUCKET}/${q43Object}`, 'unregistered'],
    ]);

    // 3. Promote: the exact Cloud Run command with the bucket path AND sha256.
    const promoted = await cli('registry', 'promote', ID, '--to', '2026-02-19', '--registry-file', registryFile);
    expect(promoted.code, promoted.out + promoted.err).toBe(0);
    expect(promoted.out).toContain(`gcloud run services update prediction-worker --region=us-west2 --project=pw-ci --update-env-vars=CATBOOST_V9_MODEL_PATH=${deepPath},CATBOOST_V9_MODEL_SHA256=${sha(DEEP_FILE)}`);
    expect(promoted.out).toContain(`--update-env-vars=CATBOOST_V9_MODEL_PATH=${champDoc.model_path},CATBOOST_V9_MODEL_SHA256=${champDoc.sha256}`);
    // The replaced champion keeps running in shadow from the bucket (issue 12), pinned by its sha256.
    const shadowId = /(catboost_v9_prev_\d{8}): the previous champion/.exec(promoted.out)?.[1];
    expect(shadowId, promoted.out).toBeDefined();
    expect(parseRegistryText(readFileSync(registryFile, 'utf8'))[shadowId!]).toMatchObject({ enabled: true, model_path: champDoc.model_path, sha256: champDoc.sha256 });

    // 4. The worker started from the same env file serves the promoted champion from the bucket.
    const envVars = parseEnv(readFileSync(join(tmp, 'local.env'), 'utf8')) as Record<string, string>;
    const config = loadConfig({ ...envVars, STORAGE_EMULATOR_HOST: endpoint, GCP_PROJECT_ID: 'pw-ci', MODEL_CACHE_DIR: join(tmp, 'worker-cache'), LOG_LEVEL: 'silent' });
    const app = buildApp({ config, storage: await openDuckDbStorage({ path: ':memory:' }), logger: pino({ level: 'silent' }), registryFile });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const models = (await (await fetch(`${url}/models`)).json()) as { models: Array<{ system_id: string; path: string; sha256: string; state: string }> };
      expect(models.models.find((m) => m.system_id === 'catboost_v9')).toMatchObject({ path: deepPath, sha256: sha(DEEP_FILE), state: 'loaded' });
      const check = await cli('registry', 'check', '--service-url', url, '--registry-file', registryFile);
      expect(check.out).toContain('no drift');
      expect(check.code).toBe(0);
    } finally {
      await app.close();
    }

    // 5. Rollback: exact previous path + sha256 from the audit trail, object checked first.
    const rolled = await cli('registry', 'rollback', '--reason', 'CI: practice rollback', '--registry-file', registryFile);
    expect(rolled.code, rolled.err).toBe(0);
    expect(rolled.out).toContain(`checked: ${champDoc.model_path} exists and has sha256 ${champDoc.sha256}`);
    expect(parseEnv(readFileSync(join(tmp, 'local.env'), 'utf8'))).toMatchObject({ CATBOOST_V9_MODEL_PATH: champDoc.model_path, CATBOOST_V9_MODEL_SHA256: champDoc.sha256 });
    // It is the champion again: its shadow entry is disabled (it would run twice).
    expect(parseRegistryText(readFileSync(registryFile, 'utf8'))[shadowId!]!.enabled).toBe(false);

    const history = await cli('registry', 'history', '--json');
    const events = (JSON.parse(history.out) as { events: Array<{ action: string; system_id: string; actor: string; to_path: string | null }> }).events;
    expect(events.map((e) => [e.action, e.system_id, e.to_path])).toEqual([
      ['evaluate', ID, deepPath],
      ['entry_added', ID, deepPath],
      ['promote', ID, deepPath],
      ['entry_added', shadowId, champDoc.model_path],
      ['rollback', 'catboost_v9', champDoc.model_path],
    ]);
    expect(events.every((e) => e.actor === 'ci-operator@example.com')).toBe(true);
  }, 120_000);
});
