import { describe, expect, it } from 'vitest';
import { clampPoints, featuresSnapshot, modelVersion, predictionId, recommend, toPredictionRows, type RowContext } from './rows.js';
import { confidencePct } from './confidence.js';
import { assembleFeatures, featuresByName } from '../features/assemble.js';
import { V9_FEATURE_NAMES } from '../features/contract.js';
import { playerPropPredictionsTable } from '../storage/tables/player-prop-predictions.js';
import type { LoadedModel, SystemPrediction } from '../models/model-set.js';
import type { Predictor } from '../models/predictor.js';

function model(systemId: string, role: 'champion' | 'challenger', path: string): LoadedModel {
  const predictor = { path, sha256: systemId.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a').slice(0, 64), format: 'cbm' } as unknown as Predictor;
  return { systemId, role, predictor, loadedAt: '2026-01-01T00:00:00.000Z' };
}

const champion = model('catboost_v9', 'champion', 'gs://bucket/models/catboost_v9_33features_20260201.cbm');
const challenger = model('catboost_v9_train1102_0108', 'challenger', 'models/catboost_v9_train1102_0108.cbm');

const DIGEST_A = 'a'.repeat(64);
const DIGEST_B = 'b'.repeat(64);

function context(line: number | null): RowContext {
  const names = [...V9_FEATURE_NAMES];
  return {
    messageId: 'm-1',
    payloadDigest: DIGEST_A,
    requestPublishedAt: '2026-01-01T12:00:00.000Z',
    createdAt: '2026-01-01T12:00:01.000Z',
    request: { player_lookup: 'p', game_date: '2026-01-01', game_id: 'g', line_source: 'ACTUAL_PROP', prediction_run_mode: 'FIRST' },
    line: line === null ? { value: null, provenance: 'none' } : { value: line, provenance: 'actual_prop_line' },
    features: assembleFeatures({ feature_names: names, features: names.map((_, i) => (i === 3 ? 3.5 : 1)) }, line),
    featureVersion: 'v2_33features',
    featureQualityScore: 91,
    edgeThreshold: 1,
    buildCommit: 'abc123',
  };
}

const ok = (m: LoadedModel, value: number): SystemPrediction => ({ systemId: m.systemId, role: m.role, ok: true, value, model: m });

describe('toPredictionRows', () => {
  it('one valid row per successful system; failed systems produce none', () => {
    const failed: SystemPrediction = { systemId: 'x_broken', role: 'challenger', ok: false, error: new Error('boom'), model: challenger };
    const rows = toPredictionRows(context(24.5), [ok(champion, 27.1), ok(challenger, 23.9), failed]);
    expect(rows.map((r) => r.system_id)).toEqual(['catboost_v9', 'catboost_v9_train1102_0108']);
    for (const r of rows) expect(playerPropPredictionsTable.rowSchema.safeParse(r).success).toBe(true);
    expect(rows[0]).toMatchObject({ recommendation: 'OVER', line_value: 24.5, model_version: 'catboost_v9_33features_20260201', build_commit: 'abc123', confidence_pct: 95 });
    expect(rows[0]!.edge).toBeCloseTo(2.6, 9);
    expect(rows[1]).toMatchObject({ recommendation: 'PASS', model_role: 'challenger' });
  });

  it('ids are deterministic per (message, system) and differ across both', () => {
    const a = toPredictionRows(context(24.5), [ok(champion, 20)]);
    const b = toPredictionRows(context(24.5), [ok(champion, 30)]);
    expect(a[0]!.prediction_id).toBe(b[0]!.prediction_id);
    expect(a[0]!.prediction_id).toMatch(/^[0-9a-f]{32}$/);
    expect(predictionId('m-1', DIGEST_A, 'a')).not.toBe(predictionId('m-1', DIGEST_A, 'b'));
    expect(predictionId('m-1', DIGEST_A, 'a')).not.toBe(predictionId('m-2', DIGEST_A, 'a'));
    // The separator keeps ('ab','c') and ('a','bc') apart.
    expect(predictionId('ab', DIGEST_A, 'c')).not.toBe(predictionId('a', DIGEST_A, 'bc'));
    expect(predictionId('m', 'ab', 'c')).not.toBe(predictionId('m', 'a', 'bc'));
   });
  it('prediction_id is the stored contract: first 32 hex of sha256(message NUL digest NUL system)', () => {
    expect(predictionId('12345678901234', 'ab'.repeat(32), 'catboost_v9')).toBe('e1f21e933fcd7e5c1cc60a73da9696f7');
  });

  it('issue 7 class 4: the same payload gives the same ids; another payload under the same message id gives other ids', () => {
    const first = toPredictionRows(context(24.5), [ok(champion, 20), ok(challenger, 21)]);
    const redelivered = toPredictionRows({ ...context(24.5), createdAt: '2026-01-01T12:05:00.000Z' }, [ok(champion, 20), ok(challenger, 21)]);
    const other = toPredictionRows({ ...context(24.5), payloadDigest: DIGEST_B }, [ok(champion, 20), ok(challenger, 21)]);
    const ids = (rows: typeof first) => rows.map((r) => r.prediction_id);
    expect(ids(redelivered)).toEqual(ids(first));
    for (const id of ids(other)) expect(ids(first)).not.toContain(id);
    expect(new Set([...ids(first), ...ids(other)]).size).toBe(4);
  });

  it('clamps predicted_points to [0, 60] and keeps the raw value; edge uses the clamped value', () => {
    const [row] = toPredictionRows(context(24.5), [ok(champion, 71.3)]);
    expect(row).toMatchObject({ predicted_points: 60, raw_prediction: 71.3, recommendation: 'OVER' });
    expect(row!.edge).toBeCloseTo(35.5, 9);
    expect(clampPoints(-2)).toBe(0);
  });

  it('without a line: NO_LINE, null line and edge', () => {
    const [row] = toPredictionRows(context(null), [ok(champion, 27)]);
    expect(row).toMatchObject({ recommendation: 'NO_LINE', line_value: null, edge: null, has_prop_line: false });
  });

  it('snapshot: every input by name (NaN → null) plus provenance', () => {
    const [row] = toPredictionRows(context(24.5), [ok(champion, 27)]);
    const snap = JSON.parse(row!.features_snapshot) as Record<string, unknown>;
    expect(Object.keys(snap)).toEqual(expect.arrayContaining([...V9_FEATURE_NAMES, 'vegas_source', 'line_provenance', 'fs_vegas_points_line', 'feature_version']));
    expect(snap).toMatchObject({ vegas_points_line: 24.5, vegas_source: 'request_line', line_provenance: 'actual_prop_line', fs_vegas_points_line: 1, feature_version: 'v2_33features' });
  });
});

describe('recommend', () => {
  it('threshold is inclusive on both sides', () => {
    expect(recommend(1, 1)).toBe('OVER');
    expect(recommend(-1, 1)).toBe('UNDER');
    expect(recommend(0.99, 1)).toBe('PASS');
    expect(recommend(null, 1)).toBe('NO_LINE');
  });
});

describe('confidencePct (original §3.3)', () => {
  it('75 + quality bonus + consistency bonus', () => {
    expect(confidencePct(95, 3)).toBe(95);
    expect(confidencePct(85, 5)).toBe(89);
    expect(confidencePct(72, 7)).toBe(85);
    expect(confidencePct(40, 12)).toBe(79);
    expect(confidencePct(null, NaN)).toBe(89); // missing → 80 and 5
  });
});

describe('modelVersion', () => {
  it('is the file stem', () => {
    expect(modelVersion('gs://b/x/catboost_v9_a.onnx')).toBe('catboost_v9_a');
    expect(modelVersion('models/m.json')).toBe('m');
  });
});

describe('featuresSnapshot', () => {
  /** The definition: JSON.stringify of the inputs by name plus their provenance. */
  const reference = (ctx: Parameters<typeof featuresSnapshot>[0]) =>
    JSON.stringify({
      ...featuresByName(ctx.features.vector),
      vegas_source: ctx.features.vegasSource,
      line_provenance: ctx.line.provenance,
      line_value: ctx.line.value,
      fs_vegas_points_line: ctx.features.fsVegasPointsLine,
      fs_has_vegas_line: ctx.features.fsHasVegasLine,
      feature_version: ctx.featureVersion,
      feature_quality_score: ctx.featureQualityScore,
    });
  const odd = [NaN, -0, 0, Infinity, -Infinity, 1e21, 1e-7, 5e-324, -1.5, 123456789.125, 0.1 + 0.2, 2 ** 53 + 2];

  it('is the same text as JSON.stringify of the inputs by name plus provenance', () => {
    const names = [...V9_FEATURE_NAMES];
    let checked = 0;
    for (const line of [null, 24.5, 1e21]) {
      for (let k = 0; k < odd.length; k++) {
        const features = assembleFeatures({ feature_names: names, features: names.map((_, i) => odd[(i + k) % odd.length]!) }, line);
        features.vector[k % names.length] = odd[k]!; // NaN/Infinity reach the vector too
        for (const featureQualityScore of [91, null, NaN, undefined as unknown as null]) {
          for (const featureVersion of ['v2_33features', 'quote " and \\ and \u0001']) {
            const ctx = { ...context(line), features, featureQualityScore, featureVersion };
            expect(featuresSnapshot(ctx)).toBe(reference(ctx));
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(3 * odd.length * 8);
  });
});
