/**
 * One broken model never blocks the others; the champion failing is retried; /models and /ready
 * say which models (and which code) are serving.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Storage } from '../../src/storage/storage.js';
import {
  FIXTURE_MODELS, HAVE_FIXTURES, SKIP_REASON, build, challengerId, featureRow, fixtureRegistry, loadFixtureModelSet,
  postPush, pushBody, registryEntry, request, today,
} from './helper.js';

const PLAYER = 'lebronjames';

function corruptModelFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pw-corrupt-'));
  const path = join(dir, 'catboost_v9_corrupt.cbm');
  writeFileSync(path, Buffer.from('CBM1 this is not a model at all'));
  return path;
}

describe.skipIf(!HAVE_FIXTURES)(`model isolation and reporting (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  const date = today();

  it('a corrupt challenger is reported failed; champion and the other challengers still predict', async () => {
    const corrupt = corruptModelFile();
    const modelSet = await loadFixtureModelSet(fixtureRegistry({ catboost_v9_corrupt: registryEntry(corrupt) }));
    const { app, storage } = await build({ modelSet, features: [featureRow(PLAYER, date)] });

    const models = (await app.inject({ method: 'GET', url: '/models' })).json() as {
      build_commit: string;
      models: Array<{ system_id: string; state: string; reason: string | null; sha256: string | null; role: string; loss: string | null; prediction_type: string | null }>;
    };
    expect(models.build_commit).toBe('test-commit');
    // What each model's output means (issue 7): from its training loss.
    const champion = models.models.find((m) => m.system_id === 'catboost_v9')!;
    expect(champion).toMatchObject({ loss: 'RMSE', prediction_type: 'RawFormulaVal' });
    expect(models.models).toHaveLength(FIXTURE_MODELS.length + 1);
    const broken = models.models.find((m) => m.system_id === 'catboost_v9_corrupt')!;
    expect(broken.state).toBe('failed');
    expect(broken.reason).toBeTruthy();
    for (const m of models.models.filter((x) => x.system_id !== 'catboost_v9_corrupt')) {
      expect(m.state).toBe('loaded');
      expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect((await app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);

    expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-iso' }))).statusCode).toBe(204);
    const rows = await storage.predictions.allPredictions(date);
    expect(rows.map((r) => r.system_id).sort()).toEqual(['catboost_v9', ...FIXTURE_MODELS.slice(1).map(challengerId)].sort());
  });

  it('a challenger that throws for a message is listed in failed_systems; the rest are written', async () => {
    const modelSet = await loadFixtureModelSet();
    const victim = modelSet.loaded.find((m) => m.role === 'challenger')!;
    victim.predictor.predict = async () => {
      throw new Error('simulated runtime failure');
    };
    const { app, storage } = await build({ modelSet, features: [featureRow(PLAYER, date)] });
    expect((await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-chfail' }))).statusCode).toBe(204);
    const rows = await storage.predictions.allPredictions(date);
    expect(rows).toHaveLength(FIXTURE_MODELS.length - 1);
    expect(rows.some((r) => r.system_id === victim.systemId)).toBe(false);
    const [outcome] = await storage.outcomes.forDate(date);
    expect(outcome).toMatchObject({ outcome: 'written', failed_systems: [victim.systemId], rows_written: FIXTURE_MODELS.length - 1 });
  });

  it('the champion throwing → 503 with challenger rows kept; the retry completes without duplicates', async () => {
    const modelSet = await loadFixtureModelSet();
    const champion = modelSet.champion!;
    const realPredict = champion.predictor.predict.bind(champion.predictor);
    let broken = true;
    champion.predictor.predict = async (rows, n) => {
      if (broken) throw new Error('simulated champion failure');
      return realPredict(rows, n);
    };
    const { app, storage } = await build({ modelSet, features: [featureRow(PLAYER, date)] });
    const body = pushBody(request(PLAYER, date), { messageId: 'm-champ' });
    const res = await postPush(app, body);
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'PW_ERR_CHAMPION_FAILED' });
    const partial = await storage.predictions.allPredictions(date);
    expect(partial).toHaveLength(FIXTURE_MODELS.length - 1);
    expect(partial.map((r) => r.system_id)).not.toContain('catboost_v9');
    expect(await storage.outcomes.forDate(date)).toHaveLength(0);

    broken = false;
    expect((await postPush(app, body)).statusCode).toBe(204);
    const rows = await storage.predictions.allPredictions(date);
    expect(rows).toHaveLength(FIXTURE_MODELS.length);
    expect(await storage.outcomes.forDate(date)).toHaveLength(1);
  });

  it('champion not loaded: /ready 503 with the reason, /predict 503, /health still 200', async () => {
    const modelSet = await loadFixtureModelSet({}, 'models/does_not_exist.cbm');
    const { app } = await build({ modelSet, features: [featureRow(PLAYER, date)] });
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect((ready.json() as { reasons: string[] }).reasons.join(' ')).toMatch(/champion catboost_v9 not loaded/);
    const res = await postPush(app, pushBody(request(PLAYER, date)));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'PW_ERR_CHAMPION_NOT_LOADED' });
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('storage unreachable: /ready 503 naming storage', async () => {
    const wrap = (s: Storage): Storage => ({
      ...s, kind: s.kind, location: s.location, close: () => s.close(),
      ping: async () => { throw new Error('connection refused'); },
    });
    const { app } = await build({ wrapStorage: wrap });
    const ready = await app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(503);
    expect((ready.json() as { reasons: string[] }).reasons.join(' ')).toMatch(/storage duckdb unreachable: connection refused/);
  });
});
