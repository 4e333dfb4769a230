/**
 * runEvaluation against real embedded storage: the candidate is scored through the live path
 * (incident 10.20), so evaluating the champion's own file on the champion's own rows must
 * reproduce those rows exactly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { loadPredictor } from '../../src/models/load-predictor.js';
import { FEATURE_SETS } from '../../src/features/contract.js';
import { runEvaluation } from '../../src/lifecycle/evaluate.js';
import { CHAMPION_FILE, REPO_ROOT, repoModelStore, seedEvaluationDays, type Seeded } from '../helpers/lifecycle-seed.js';

const HAVE_MODELS = existsSync(join(REPO_ROOT, CHAMPION_FILE));

describe.skipIf(!HAVE_MODELS)('runEvaluation', () => {
  let storage: Storage;
  let seeded: Seeded;
  beforeAll(async () => {
    storage = await openDuckDbStorage({ path: ':memory:' });
    seeded = await seedEvaluationDays(storage, { days: 2 });
  });
  afterAll(async () => {
    await storage.close();
  });

  it("the champion's own file reproduces the champion's rows: same prediction, edge, recommendation, confidence, outcome", async () => {
    const predictor = await loadPredictor({ path: CHAMPION_FILE, featureSet: FEATURE_SETS.v9, engine: 'auto', store: repoModelStore() });
    const r = await runEvaluation(storage, predictor, {
      candidateId: 'catboost_v9_same_file',
      evalStart: seeded.dates[0]!,
      evalEnd: seeded.dates.at(-1)!,
      edgeThreshold: 1,
      buildCommit: 'test',
      now: new Date('2026-03-01T00:00:00Z'),
    });
    expect(r.championLineRows).toBe(seeded.championLineRows);
    expect(r.comparison.matchedRows).toBe(seeded.championLineRows);
    const pick = (sys: string) =>
      r.graded
        .filter((g) => g.system_id === sys)
        .map((g) => [g.game_date, g.player_lookup, g.line_value, g.predicted_points, g.edge, g.recommendation, g.confidence_pct, g.outcome]);
    expect(pick('catboost_v9_same_file')).toEqual(pick('catboost_v9'));
    expect(r.comparison.disagreements.n).toBe(0);
    // same MAE is not an improvement
    expect(r.gates[0]).toMatchObject({ name: 'MAE improvement', pass: false });
    expect(r.baselineMae).toBe(r.comparison.champion.mae_points);
  });
});
