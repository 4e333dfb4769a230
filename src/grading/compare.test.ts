import { describe, expect, it } from 'vitest';
import { compareModels, formatComparison } from './compare.js';
import { gradePredictions } from './grade.js';
import { actualRow, predictionRow } from '../../test/helpers/post-game-rows.js';

const CHAMP = 'catboost_v9';
const CHAL = 'catboost_v9_train1102_0215';
const opts = { challengerId: CHAL, championId: CHAMP, fromDate: '2026-02-10', toDate: '2026-02-10' };

/** Player i scored 20; line 20.5 → UNDER wins. */
function graded(spec: Array<{ player: string; champ?: number; chal?: number; chalLine?: number }>) {
  const preds = spec.flatMap((s) => [
    ...(s.champ === undefined ? [] : [predictionRow({ system_id: CHAMP, player_lookup: s.player, predicted_points: s.champ, line_value: 20.5 })]),
    ...(s.chal === undefined
      ? []
      : [predictionRow({ system_id: CHAL, player_lookup: s.player, predicted_points: s.chal, line_value: s.chalLine ?? 20.5 })]),
  ]);
  const actuals = spec.map((s) => actualRow({ player_lookup: s.player, points: 20 }));
  return gradePredictions(preds, actuals, '2026-02-11T10:00:00.000Z');
}

describe('compareModels', () => {
  it('compares on matched rows only, with both N, and finds disagreements', () => {
    const rows = graded([
      { player: 'a', champ: 25, chal: 15 }, // champion OVER loses, challenger UNDER wins (disagreement)
      { player: 'b', champ: 24, chal: 16 }, // same
      { player: 'c', champ: 15, chal: 14 }, // both UNDER win
      { player: 'd', champ: 25, chal: 26 }, // both OVER lose
      { player: 'e', champ: 25 }, // champion only: unmatched
      { player: 'f', champ: 25, chal: 10, chalLine: 21.5 }, // different line: unmatched
    ]);
    const c = compareModels(rows, opts);
    expect(c.challengerRows).toBe(5);
    expect(c.championRows).toBe(6);
    expect(c.matchedRows).toBe(4);
    expect(c.challenger.all).toMatchObject({ wins: 3, losses: 1, hit_rate_pct: 75 });
    expect(c.champion.all).toMatchObject({ wins: 1, losses: 3, hit_rate_pct: 25 });
    expect(c.disagreements.n).toBe(2);
    expect(c.disagreements.challenger.hit_rate_pct).toBe(100);
    expect(c.disagreements.champion.hit_rate_pct).toBe(0);
    expect(c.hitRateDiffPp).toBe(50);
    // one game day: the verdict rule (src/lifecycle/verdict.ts) decides nothing yet
    expect(c.verdict).toBe('NOT YET DECIDED');
    expect(c.decision.matchedRows).toBe(4);
    expect(c.decision.disagreement).toMatchObject({ n: 2, challengerWins: 2 });
    expect(c.verdictText).toContain('75.0% (N=4) vs catboost_v9 25.0% (N=4)');
    expect(c.challenger.edge_3plus.n_decided).toBe(4);
    // champion edges on matched rows: +4.5, +3.5, -5.5, +4.5 -> PVL 1.75
    expect(c.champion.mean_pvl_points).toBeCloseTo(1.75, 10);
    const text = formatComparison(c);
    expect(text).toContain('HR edge 3+');
    expect(text).toContain('VERDICT: NOT YET DECIDED');
  });

  it('nothing matched: N = 0 and no verdict', () => {
    const c = compareModels(graded([{ player: 'a', champ: 15 }]), opts);
    expect(c.matchedRows).toBe(0);
    expect(c.verdict).toBe('NOT YET DECIDED');
    expect(c.hitRateDiffPp).toBeNull();
  });
});
