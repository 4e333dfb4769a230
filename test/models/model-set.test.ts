import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHAMPION_SYSTEM_ID, parseRegistry, type Registry } from '../../config/registry.js';
import { V9_FEATURE_NAMES } from '../../src/features/contract.js';
import { createModelSet } from '../../src/models/model-set-loader.js';
import { ModelStore } from '../../src/models/model-store.js';
import { FakeObjects, recordingLogger, registryEntry, tempDir, tinyCatBoostJson } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

/** A V9-shaped model that predicts `bias` for every row (no trees). */
function constantModel(name: string, bias: number): string {
  writeFileSync(join(dir, name), tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias }));
  return name;
}


/** Store whose fetches are recorded (to prove disabled entries are never fetched). */
function recordingStore(objects?: FakeObjects): { store: ModelStore; fetched: string[] } {
  const store = new ModelStore({ cwd: dir, cacheDir: join(dir, 'cache'), ...(objects ? { objects } : {}) });
  const fetched: string[] = [];
  const original = store.fetch.bind(store);
  store.fetch = (path, options) => {
    fetched.push(path);
    return original(path, options);
  };
  return { store, fetched };
}

const row = new Float64Array(V9_FEATURE_NAMES.length).fill(1);

describe('createModelSet', () => {
  it('isolates a corrupt challenger and never fetches a disabled one', async () => {
    const registry: Registry = parseRegistry({
      catboost_v9_good_a: registryEntry(constantModel('a.json', 20)),
      catboost_v9_corrupt: registryEntry(constantModel('corrupt.json', 0)),
      catboost_v9_retired: registryEntry('retired/never-fetched.cbm', { enabled: false }),
      catboost_v9_good_b: registryEntry(constantModel('b.json', 30)),
    });
    writeFileSync(join(dir, 'corrupt.json'), '{"oblivious_trees": [ truncated');
    const { store, fetched } = recordingStore();
    const logger = recordingLogger();
    const set = await createModelSet({ championPath: constantModel('champ.json', 10), registry, store, engine: 'auto', logger });

    expect(fetched).not.toContain('retired/never-fetched.cbm');
    expect(set.champion?.systemId).toBe(CHAMPION_SYSTEM_ID);
    expect(set.loaded.map((m) => m.systemId)).toEqual([CHAMPION_SYSTEM_ID, 'catboost_v9_good_a', 'catboost_v9_good_b']);

    const status = Object.fromEntries(set.status().map((s) => [s.systemId, s]));
    expect(status[CHAMPION_SYSTEM_ID]).toMatchObject({ role: 'champion', state: 'loaded', engine: 'native', format: 'json', featureCount: 33, treeCount: 0 });
    expect(status.catboost_v9_corrupt).toMatchObject({ role: 'challenger', state: 'failed', errorCode: 'PW_ERR_MODEL_FORMAT', enabled: true });
    expect(status.catboost_v9_corrupt!.error).toContain('corrupt.json');
    expect(status.catboost_v9_retired).toMatchObject({ state: 'disabled', enabled: false });
    expect(status.catboost_v9_retired!.sha256).toBeUndefined();
    expect(set.status().map((s) => s.systemId)).toEqual([
      CHAMPION_SYSTEM_ID,
      'catboost_v9_good_a',
      'catboost_v9_corrupt',
      'catboost_v9_retired',
      'catboost_v9_good_b',
    ]);

    const failureLog = logger.calls.find((c) => c.obj.system_id === 'catboost_v9_corrupt');
    expect(failureLog).toMatchObject({ level: 'error', obj: { path: 'corrupt.json', code: 'PW_ERR_MODEL_FORMAT' } });
    const loadedLogs = logger.calls.filter((c) => c.msg === 'model loaded');
    expect(loadedLogs).toHaveLength(3); // once per loaded model (in completion order: loads run in parallel)
    const championLog = loadedLogs.find((c) => c.obj.system_id === CHAMPION_SYSTEM_ID);
    expect(championLog?.obj).toMatchObject({ engine: 'native', feature_count: 33, tree_count: 0 });
    expect(championLog?.obj.sha256).toMatch(/^[0-9a-f]{64}$/);

    const results = await set.predictAll(row);
    expect(results.map((r) => [r.systemId, r.ok && r.value])).toEqual([
      [CHAMPION_SYSTEM_ID, 10],
      ['catboost_v9_good_a', 20],
      ['catboost_v9_good_b', 30],
    ]);
    await set.close();
  });

  it('reports a missing champion as failed with champion undefined, challengers still serving', async () => {
    const registry = parseRegistry({ catboost_v9_good_a: registryEntry(constantModel('a.json', 20)) });
    const { store } = recordingStore();
    const logger = recordingLogger();
    const set = await createModelSet({ championPath: 'models/missing.cbm', registry, store, engine: 'auto', logger });
    expect(set.champion).toBeUndefined();
    expect(set.status()[0]).toMatchObject({ systemId: CHAMPION_SYSTEM_ID, state: 'failed', errorCode: 'PW_ERR_MODEL_NOT_FOUND' });
    expect(logger.calls.some((c) => c.level === 'error' && c.obj.system_id === CHAMPION_SYSTEM_ID)).toBe(true);
    const results = await set.predictAll(row);
    expect(results.map((r) => [r.systemId, r.ok && r.value])).toEqual([['catboost_v9_good_a', 20]]);
  });

  it('refuses a champion whose sha256 differs from CATBOOST_V9_MODEL_SHA256', async () => {
    const set = await createModelSet({
      championPath: constantModel('champ.json', 10),
      championSha256: 'f'.repeat(64),
      registry: {},
      store: recordingStore().store,
      engine: 'auto',
      logger: recordingLogger(),
    });
    expect(set.champion).toBeUndefined();
    expect(set.status()[0]).toMatchObject({ state: 'failed', errorCode: 'PW_ERR_MODEL_SHA256', declaredSha256: 'f'.repeat(64) });
  });

  it('keeps the other models answering when one throws at predict time', async () => {
    const registry = parseRegistry({
      catboost_v9_flaky: registryEntry(constantModel('flaky.json', 20)),
      catboost_v9_steady: registryEntry(constantModel('steady.json', 30)),
    });
    const set = await createModelSet({ championPath: constantModel('champ.json', 10), registry, store: recordingStore().store, engine: 'auto', logger: recordingLogger() });
    const flaky = set.loaded.find((m) => m.systemId === 'catboost_v9_flaky')!;
    flaky.predictor.predict = () => {
      throw new Error('evaluator exploded');
    };
    const results = await set.predictAll(row);
    expect(results.map((r) => r.systemId)).toEqual([CHAMPION_SYSTEM_ID, 'catboost_v9_flaky', 'catboost_v9_steady']);
    expect(results[0]).toMatchObject({ ok: true, value: 10 });
    expect(results[1]).toMatchObject({ ok: false });
    expect(results[1]!.ok === false && results[1]!.error.message).toBe('evaluator exploded');
    expect(results[2]).toMatchObject({ ok: true, value: 30 });
  });

  it('downloads a gs:// file shared by two entries once, and checks each entry\'s declared sha256', async () => {
    const bytes = Buffer.from(tinyCatBoostJson({ featureNames: V9_FEATURE_NAMES, bias: 7 }));
    const objects = new FakeObjects();
    objects.put('models', 'v9/shared.json', bytes);
    const digest = createHash('sha256').update(bytes).digest('hex');
    const registry = parseRegistry({
      catboost_v9_copy_a: registryEntry('gs://models/v9/shared.json', { sha256: digest }),
      catboost_v9_copy_b: registryEntry('gs://models/v9/shared.json', { sha256: 'a'.repeat(64) }),
    });
    const set = await createModelSet({
      championPath: 'gs://models/v9/shared.json',
      registry,
      store: recordingStore(objects).store,
      engine: 'auto',
      logger: recordingLogger(),
    });
    expect(objects.downloads).toBe(1);
    expect(set.status().map((s) => [s.systemId, s.state, s.errorCode])).toEqual([
      [CHAMPION_SYSTEM_ID, 'loaded', undefined],
      ['catboost_v9_copy_a', 'loaded', undefined],
      ['catboost_v9_copy_b', 'failed', 'PW_ERR_MODEL_SHA256'],
    ]);
    expect(set.status()[1]!.sha256).toBe(digest);
  });

  it('logs a failed challenger loudly through a real pino logger', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const registry = parseRegistry({ catboost_v9_missing: registryEntry('models/gone.cbm') });
    await createModelSet({ championPath: constantModel('champ.json', 10), registry, store: recordingStore().store, engine: 'auto', logger });
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const failure = records.find((r) => r.system_id === 'catboost_v9_missing');
    expect(failure).toMatchObject({ level: 50, path: 'models/gone.cbm', code: 'PW_ERR_MODEL_NOT_FOUND', role: 'challenger' });
    expect(records.filter((r) => r.msg === 'model loaded').map((r) => r.system_id)).toEqual([CHAMPION_SYSTEM_ID]);
  });

  it('close() releases every predictor once', async () => {
    const registry = parseRegistry({ catboost_v9_good_a: registryEntry(constantModel('a.json', 20)) });
    const set = await createModelSet({ championPath: constantModel('champ.json', 10), registry, store: recordingStore().store, engine: 'auto', logger: recordingLogger() });
    let closes = 0;
    for (const m of set.loaded) m.predictor.close = async () => void closes++;
    await set.close();
    await set.close();
    expect(closes).toBe(2);
  });
});

describe('MODEL_ENGINE=native with an .onnx challenger', () => {
  it('the .onnx challenger still runs on ONNX Runtime; the .cbm champion on the native engine; both agree', async () => {
    const { PROJECT_MODEL_FIXTURES } = await import('./helpers.js');
    const { ModelStore: Store } = await import('../../src/models/model-store.js');
    const store = new Store({ cwd: PROJECT_MODEL_FIXTURES, cacheDir: join(dir, 'cache') });
    const set = await createModelSet({
      championPath: 'rmse_d4.cbm',
      registry: parseRegistry({ catboost_v9_onnx: registryEntry('rmse_d4.onnx') }),
      store,
      engine: 'native',
      logger: recordingLogger(),
    });
    const status = Object.fromEntries(set.status().map((s) => [s.systemId, s]));
    expect(status[CHAMPION_SYSTEM_ID]).toMatchObject({ state: 'loaded', engine: 'native', format: 'cbm' });
    expect(status.catboost_v9_onnx).toMatchObject({ state: 'loaded', engine: 'onnx', format: 'onnx', loss: 'RMSE', predictionType: 'RawFormulaVal' });
    const features = new Float64Array(V9_FEATURE_NAMES.length).fill(1);
    const [champion, onnx] = await set.predictAll(features);
    expect(champion!.ok && onnx!.ok).toBe(true);
    if (champion!.ok && onnx!.ok) expect(Math.abs(champion!.value - onnx!.value)).toBeLessThan(1e-3);
    await set.close();
  });
});
