/**
 * POST /predict end to end: real in-memory DuckDB storage, real fixture models.
 * What Pub/Sub and the users downstream rely on: one row per model per message, no duplicates on
 * redelivery, permanent failures acknowledged AND recorded, transient ones answered 503.
 */
import { describe, expect, it } from 'vitest';
import { PwError } from '../../src/errors.js';
import { predictionId } from '../../src/predictions/rows.js';
import { bodyDigest } from '../../src/worker/envelope.js';
import { V9_FEATURE_NAMES } from '../../src/features/contract.js';
import type { Storage } from '../../src/storage/storage.js';
import {
  FIXTURE_MODELS, HAVE_FIXTURES, SKIP_REASON, build, failingWrites, featureRow, postPush, pushBody, request, today,
} from './helper.js';

const PLAYER = 'lebronjames';

describe.skipIf(!HAVE_FIXTURES)(`POST /predict (${HAVE_FIXTURES ? 'fixtures found' : SKIP_REASON})`, () => {
  const date = today();
  const seed = () => [featureRow(PLAYER, date), featureRow('stephencurry', date, { points_avg_season: 27 })];

  it('writes one row per loaded model, answers 204 and records the written outcome', async () => {
    const { app, storage, modelSet } = await build({ features: seed() });
    const res = await postPush(app, pushBody(request(PLAYER, date), { messageId: 'm-main' }));
    expect(res.statusCode).toBe(204);

    const rows = await storage.predictions.allPredictions(date);
    const expectedIds = modelSet.loaded.map((m) => m.systemId);
    expect(expectedIds).toHaveLength(FIXTURE_MODELS.length);
    expect(rows.map((r) => r.system_id).sort()).toEqual([...expectedIds].sort());
    for (const row of rows) {
      const model = modelSet.loaded.find((m) => m.systemId === row.system_id)!;
      expect(row.prediction_id).toBe(predictionId('m-main', bodyDigest(JSON.stringify(request(PLAYER, date))), row.system_id));
      expect(row.model_sha256).toBe(model.predictor.sha256);
      expect(row.model_role).toBe(row.system_id === 'catboost_v9' ? 'champion' : 'challenger');
      expect(row.line_value).toBe(24.5);
      expect(row.line_provenance).toBe('actual_prop_line');
      expect(row.vegas_source).toBe('request_line');
      expect(row.edge).toBeCloseTo(row.predicted_points - 24.5, 9);
      const expected = row.edge! >= 1 ? 'OVER' : row.edge! <= -1 ? 'UNDER' : 'PASS';
      expect(row.recommendation).toBe(expected);
      expect(row.build_commit).toBe('test-commit');
      expect(row.request_published_at).toBe('2026-01-01T12:00:00.123Z');
      const snapshot = JSON.parse(row.features_snapshot) as Record<string, unknown>;
      for (const name of V9_FEATURE_NAMES) expect(snapshot).toHaveProperty(name);
      expect(snapshot.vegas_points_line).toBe(24.5);
      expect(snapshot.vegas_opening_line).toBe(23.0); // kept from the store, not fabricated
      expect(snapshot.fs_vegas_points_line).toBe(23.5);
    }
    // Different models give different predictions for the same inputs.
    expect(new Set(rows.map((r) => r.raw_prediction)).size).toBeGreaterThan(1);

    const outcomes = await storage.outcomes.forDate(date);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({ message_id: 'm-main', outcome: 'written', rows_written: rows.length, failed_systems: [] });
    expect([...outcomes[0]!.systems].sort()).toEqual([...expectedIds].sort());
  });

  it('a redelivered message leaves exactly the same rows (no duplicates)', async () => {
    const { app, storage } = await build({ features: seed() });
    const body = pushBody(request(PLAYER, date), { messageId: 'm-dup' });
    expect((await postPush(app, body)).statusCode).toBe(204);
    const first = await storage.predictions.allPredictions(date);
    expect((await postPush(app, body)).statusCode).toBe(204);
    const second = await storage.predictions.allPredictions(date);
    expect(second).toHaveLength(first.length);
    expect(second.map((r) => r.prediction_id).sort()).toEqual(first.map((r) => r.prediction_id).sort());
    expect(await storage.outcomes.forDate(date)).toHaveLength(1);
  });

  it('without a real line: NO_LINE rows, null line and edge, store vegas line kept for the model', async () => {
    const { app, storage } = await build({ features: seed() });
    const payload = request(PLAYER, date, { has_prop_line: false, line_source: 'NO_PROP_LINE', line_values: [null], actual_prop_line: 22 });
    expect((await postPush(app, pushBody(payload, { messageId: 'm-noline' }))).statusCode).toBe(204);
    const rows = await storage.predictions.allPredictions(date);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row).toMatchObject({ recommendation: 'NO_LINE', line_value: null, edge: null, has_prop_line: false, vegas_source: 'feature_store', line_provenance: 'none' });
      expect(row.missing_critical_features).toEqual([]);
    }
  });

  it('no line anywhere: vegas features NaN and the row is flagged', async () => {
    const row = featureRow(PLAYER, date, { vegas_points_line: undefined, vegas_opening_line: undefined, vegas_line_move: undefined, has_vegas_line: undefined, minutes_avg_last_10: undefined });
    const { app, storage } = await build({ features: [row] });
    const payload = request(PLAYER, date, { has_prop_line: false, line_values: [null], actual_prop_line: null });
    expect((await postPush(app, pushBody(payload, { messageId: 'm-none' }))).statusCode).toBe(204);
    const [stored] = await storage.predictions.allPredictions(date);
    expect(stored!.vegas_source).toBe('none');
    expect(stored!.missing_critical_features).toEqual(expect.arrayContaining(['vegas_points_line', 'minutes_avg_last_10']));
    expect(stored!.defaulted_features).toEqual(['minutes_avg_last_10']);
    const snapshot = JSON.parse(stored!.features_snapshot) as Record<string, unknown>;
    expect(snapshot.vegas_points_line).toBeNull();
    expect(snapshot.has_vegas_line).toBe(0);
    expect(snapshot.minutes_avg_last_10).toBe(25);
  });

  describe('permanent failures are acknowledged and recorded, the process stays healthy', () => {
    const cases: Array<{ name: string; body: () => string; code: string; contentType?: string; old?: boolean }> = [
      { name: 'non-JSON body', body: () => 'this is not json {', code: 'PW_ERR_ENVELOPE' },
      { name: 'empty body', body: () => '', code: 'PW_ERR_ENVELOPE' },
      { name: 'JSON without message', body: () => JSON.stringify({ hello: 'world' }), code: 'PW_ERR_ENVELOPE' },
      { name: 'garbage base64', body: () => pushBody(null, { data: '%%%not base64***', messageId: 'm-b64' }), code: 'PW_ERR_ENVELOPE' },
      { name: 'base64 of non-JSON', body: () => pushBody(null, { data: Buffer.from('plain text').toString('base64'), messageId: 'm-nj' }), code: 'PW_ERR_PAYLOAD' },
      { name: 'missing game_id', body: () => pushBody({ player_lookup: PLAYER, game_date: date }, { messageId: 'm-missing' }), code: 'PW_ERR_PAYLOAD' },
      { name: 'impossible date', body: () => pushBody(request(PLAYER, '2026-02-30'), { messageId: 'm-date' }), code: 'PW_ERR_PAYLOAD' },
      { name: 'text/plain garbage', body: () => '\u0000\u0001 binary', code: 'PW_ERR_ENVELOPE', contentType: 'text/plain' },
      { name: 'garbage without a content type', body: () => 'garbage', code: 'PW_ERR_ENVELOPE', contentType: '' },
      { name: 'player absent from a slate that is no longer young', body: () => pushBody(request('nobody', date), { messageId: 'm-nobody' }), code: 'PW_ERR_PLAYER_NOT_FOUND', old: true },
      { name: 'past game date', body: () => pushBody(request(PLAYER, '2020-01-15'), { messageId: 'm-past' }), code: 'PW_ERR_STALE_MESSAGE' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        // `old`: the slate's rows were written an hour ago (past SLATE_YOUNG_SECONDS' 30 min).
        const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
        const features = c.old ? seed().map((r) => ({ ...r, created_at: hourAgo })) : seed();
        const { app, storage } = await build({ features });
        const body = c.body();
        const res = await postPush(app, body, c.contentType === undefined ? {} : { 'content-type': c.contentType });
        expect(res.statusCode).toBe(200);
        const answer = res.json() as { outcome: string; reason_code: string; message_id: string };
        expect(answer).toMatchObject({ outcome: 'rejected', reason_code: c.code });
        const rejected = await storage.outcomes.rejected();
        expect(rejected).toHaveLength(1);
        expect(rejected[0]).toMatchObject({ message_id: answer.message_id, outcome: 'rejected', reason_code: c.code, rows_written: 0 });
        expect(rejected[0]!.raw_message).toBe(body);
        expect(await storage.predictions.allPredictions(date)).toHaveLength(0);
        expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      });
    }
  });

  it('ALLOW_PAST_DATES=false from the environment refuses a past date (acknowledged, recorded)', async () => {
    const { app, storage, config } = await build({ env: { ALLOW_PAST_DATES: 'false' }, features: [featureRow(PLAYER, '2025-11-08')] });
    expect(config.ALLOW_PAST_DATES).toBe(false);
    const res = await postPush(app, pushBody(request(PLAYER, '2025-11-08'), { messageId: 'm-past-env' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ reason_code: 'PW_ERR_STALE_MESSAGE' });
    expect(await storage.predictions.allPredictions('2025-11-08')).toHaveLength(0);
  });

  it('a past date is accepted when ALLOW_PAST_DATES=true', async () => {
    const { app, storage } = await build({ env: { ALLOW_PAST_DATES: 'true' }, features: [featureRow(PLAYER, '2025-11-08')] });
    expect((await postPush(app, pushBody(request(PLAYER, '2025-11-08'), { messageId: 'm-backfill' }))).statusCode).toBe(204);
    expect((await storage.predictions.allPredictions('2025-11-08')).length).toBe(FIXTURE_MODELS.length);
  });

  it('a body over MAX_BODY_BYTES is acknowledged and recorded, unparsed, under the digest of its bytes', async () => {
    const { app, storage } = await build({ env: { MAX_BODY_BYTES: '2048' }, features: seed() });
    const body = pushBody(request(PLAYER, date, { padding: 'x'.repeat(5000) }), { messageId: 'm-big' });
    const res = await postPush(app, body);
    expect(res.statusCode).toBe(200);
    const [outcome] = await storage.outcomes.rejected();
    // Size is checked before any parsing (issue 7, class 5): nothing is read from the body.
    expect(outcome).toMatchObject({ message_id: bodyDigest(body), reason_code: 'PW_ERR_ENVELOPE', player_lookup: null, game_date: null, raw_message: body });
    expect(outcome!.reason).toMatch(/exceeds MAX_BODY_BYTES/);
    expect(await storage.predictions.allPredictions(date)).toHaveLength(0);
  });

  it('a body over the hard limit (not even read) is acknowledged and recorded', async () => {
    const { app, storage } = await build({ env: { MAX_BODY_BYTES: '1024' }, hardBodyLimit: 4096, features: seed() });
    const res = await postPush(app, pushBody(request(PLAYER, date, { padding: 'x'.repeat(10_000) })));
    expect(res.statusCode).toBe(200);
    const rejected = await storage.outcomes.rejected();
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatch(/hard limit/);
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  });

  it('sink down → 503; the retry writes everything once', async () => {
    let sinkDown = true;
    const wrap = failingWrites(() => sinkDown, () => new PwError('PW_ERR_SINK_WRITE', undefined, 'prediction rows', 'connection refused'));
    const { app, storage } = await build({ features: seed(), wrapStorage: wrap });
    const body = pushBody(request(PLAYER, date), { messageId: 'm-retry' });
    const down = await postPush(app, body);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ code: 'PW_ERR_SINK_WRITE' });
    expect(await storage.outcomes.forDate(date)).toHaveLength(0);

    sinkDown = false;
    expect((await postPush(app, body)).statusCode).toBe(204);
    expect((await postPush(app, body)).statusCode).toBe(204); // a late duplicate delivery too
    const rows = await storage.predictions.allPredictions(date);
    expect(rows).toHaveLength(FIXTURE_MODELS.length);
    expect(new Set(rows.map((r) => r.prediction_id)).size).toBe(rows.length);
    expect(await storage.outcomes.forDate(date)).toHaveLength(1);
  });

  it('feature store down → 503 (retry), nothing recorded', async () => {
    const wrap = (s: Storage): Storage => ({
      ...s, kind: s.kind, location: s.location, ping: () => s.ping(), close: () => s.close(),
      features: { ...s.features, loadSlate: async () => { throw new Error('ECONNRESET'); }, upsert: (r) => s.features.upsert(r) },
    });
    const { app, storage } = await build({ features: seed(), wrapStorage: wrap });
    const res = await postPush(app, pushBody(request(PLAYER, date)));
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'PW_ERR_FEATURE_STORE' });
    expect(await storage.outcomes.rejected()).toHaveLength(0);
  });

  it('outcome log down while rejecting → 503, so the rejection is not lost', async () => {
    const wrap = (s: Storage): Storage => ({
      ...s, kind: s.kind, location: s.location, ping: () => s.ping(), close: () => s.close(),
      outcomes: { ...s.outcomes, record: async () => { throw new Error('disk full'); }, forDate: (d) => s.outcomes.forDate(d), rejected: (x) => s.outcomes.rejected(x) },
    });
    const { app } = await build({ features: seed(), wrapStorage: wrap });
    const res = await postPush(app, 'not json');
    expect(res.statusCode).toBe(503);
  });
});
