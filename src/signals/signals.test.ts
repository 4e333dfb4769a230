import { describe, expect, it } from 'vitest';
import { computeSignals, dailySignal, skewCategory, slateGamesFromPredictions, volumeCategory } from './signals.js';
import { dailyPredictionSignalsTable } from '../storage/tables/daily-prediction-signals.js';
import { GAME_DATE, predictionRow } from '../../test/helpers/post-game-rows.js';
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';

const AT = '2026-02-10T20:00:00.000Z';

/** A slate for one system: `over` OVER rows (edge +edgeOver), `under` UNDER rows (edge -2), `pass` PASS rows. */
function slate(systemId: string, counts: { over?: number; under?: number; pass?: number; highEdge?: number }): PredictionRow[] {
  const rows: PredictionRow[] = [];
  let i = 0;
  let highEdgeLeft = counts.highEdge ?? 0;
  const add = (delta: number) => {
    const high = highEdgeLeft > 0;
    if (high) highEdgeLeft--;
    const d = high ? Math.sign(delta) * 5 : delta;
    rows.push(predictionRow({ system_id: systemId, player_lookup: `p${String(i++).padStart(3, '0')}`, predicted_points: 20 + d, line_value: 20 }));
  };
  for (let k = 0; k < (counts.over ?? 0); k++) add(2);
  for (let k = 0; k < (counts.under ?? 0); k++) add(-2);
  for (let k = 0; k < (counts.pass ?? 0); k++) rows.push(predictionRow({ system_id: systemId, player_lookup: `p${String(i++).padStart(3, '0')}`, predicted_points: 20.5, line_value: 20 }));
  return rows;
}

describe('rule functions at their boundaries', () => {
  it('skew on the bets-only share: < 30 UNDER_HEAVY, > 70 OVER_HEAVY', () => {
    expect(skewCategory(29.99)).toBe('UNDER_HEAVY');
    expect(skewCategory(30)).toBe('BALANCED');
    expect(skewCategory(50)).toBe('BALANCED');
    expect(skewCategory(70)).toBe('BALANCED');
    expect(skewCategory(70.01)).toBe('OVER_HEAVY');
  });

  it('volume: high_edge < 3 LOW, > 8 HIGH', () => {
    expect(volumeCategory(2)).toBe('LOW');
    expect(volumeCategory(3)).toBe('NORMAL');
    expect(volumeCategory(8)).toBe('NORMAL');
    expect(volumeCategory(9)).toBe('HIGH');
  });

  it('daily signal, first match wins, symmetric around 50 % OVER', () => {
    const ok = { slateGames: 5, pctOver: 50, highEdgePicks: 5 };
    expect(dailySignal(ok).signal).toBe('GREEN');
    expect(dailySignal({ ...ok, slateGames: 4 }).signal).toBe('RED');
    expect(dailySignal({ ...ok, slateGames: 4 }).explanation).toContain('4 games');
    expect(dailySignal({ ...ok, pctOver: 24.99 }).signal).toBe('RED');
    expect(dailySignal({ ...ok, pctOver: 25 }).signal).toBe('YELLOW');
    expect(dailySignal({ ...ok, pctOver: 75 }).signal).toBe('YELLOW');
    expect(dailySignal({ ...ok, pctOver: 75.01 }).signal).toBe('RED');
    expect(dailySignal({ ...ok, pctOver: 34.99 }).signal).toBe('YELLOW');
    expect(dailySignal({ ...ok, pctOver: 35 }).signal).toBe('GREEN');
    expect(dailySignal({ ...ok, pctOver: 65 }).signal).toBe('GREEN');
    expect(dailySignal({ ...ok, pctOver: 65.01 }).signal).toBe('YELLOW');
    expect(dailySignal({ ...ok, highEdgePicks: 2 }).signal).toBe('YELLOW');
    expect(dailySignal({ ...ok, highEdgePicks: 3 }).signal).toBe('GREEN');
    // light slate beats everything else; one-sided beats low volume
    expect(dailySignal({ slateGames: 2, pctOver: 50, highEdgePicks: 0 }).explanation).toMatch(/light slate/);
    expect(dailySignal({ slateGames: 9, pctOver: 10, highEdgePicks: 0 }).explanation).toMatch(/under-heavy.*10\.0% OVER of bets/);
    expect(dailySignal({ slateGames: 9, pctOver: 90, highEdgePicks: 0 }).explanation).toMatch(/over-heavy.*90\.0% OVER of bets/);
  });

  it("explanations never print the original platform's historical hit rates as measured here", () => {
    const cases = [
      { slateGames: 2, pctOver: 50, highEdgePicks: 0 },
      { slateGames: 9, pctOver: 10, highEdgePicks: 5 },
      { slateGames: 9, pctOver: 90, highEdgePicks: 5 },
      { slateGames: 9, pctOver: 50, highEdgePicks: 0 },
      { slateGames: 9, pctOver: 30, highEdgePicks: 5 },
      { slateGames: 9, pctOver: 50, highEdgePicks: 5 },
    ];
    for (const c of cases) {
      const e = dailySignal(c).explanation;
      expect(e).not.toMatch(/historically|20\.6|54%|82%/);
      // the only percentages printed are this slate's share and the rule's thresholds
      for (const m of e.matchAll(/(\d+(?:\.\d+)?)%/g)) expect([c.pctOver.toFixed(1), '25', '75', '35', '65']).toContain(m[1]);
    }
    expect(dailySignal(cases[0]!).explanation).toContain('not measured here');
  });
});

describe('computeSignals', () => {
  const opts = { gameDate: GAME_DATE, slateGames: 8, calculatedAt: AT };

  it('one valid row per system; pct_over is the share of the bets (PASS excluded)', () => {
    const rows = [
      ...slate('catboost_v9', { over: 6, under: 12, pass: 2, highEdge: 4 }),
      predictionRow({ system_id: 'catboost_v9', player_lookup: 'noline', line_value: null }),
      ...slate('catboost_v9_train1102_0215', { over: 3, under: 17, highEdge: 1 }),
    ];
    const out = computeSignals(rows, opts);
    expect(out.map((r) => r.system_id)).toEqual(['catboost_v9', 'catboost_v9_train1102_0215']);
    for (const r of out) expect(() => dailyPredictionSignalsTable.rowSchema.parse(r)).not.toThrow();
    const champ = out[0]!;
    expect(champ).toMatchObject({
      total_picks: 20,
      over_count: 6,
      under_count: 12,
      pass_count: 2,
      pct_over: (6 / 18) * 100,
      pct_under: (12 / 18) * 100,
      high_edge_picks: 4,
      skew_category: 'BALANCED',
      volume_category: 'NORMAL',
      daily_signal: 'YELLOW',
      model_role: 'champion',
    });
    expect(champ.signal_explanation).toContain('under-leaning');
    const chal = out[1]!;
    expect(chal).toMatchObject({ pct_over: 15, skew_category: 'UNDER_HEAVY', volume_category: 'LOW', daily_signal: 'RED', model_role: 'challenger' });
    expect(chal.signal_explanation).toContain('15.0% OVER');
  });

  it('the demo failure: a balanced model that passes on most of a sharp slate is not RED', () => {
    // catboost_v9 on the demo's 2026-11-29: 23 OVER, 24 UNDER, 109 PASS. The old share (23/156 =
    // 14.7 %) made it "under-heavy" and RED; its bets are balanced.
    const rows = slate('catboost_v9', { over: 23, under: 24, pass: 109, highEdge: 3 });
    const [row] = computeSignals(rows, opts);
    expect(row!.pct_over).toBeCloseTo((23 / 47) * 100, 10);
    expect(row!.skew_category).toBe('BALANCED');
    expect(row!.daily_signal).toBe('GREEN');
    // while an UNDER-only model on the same slate still is RED
    const [q43] = computeSignals(slate('catboost_v9_demo_q43', { over: 1, under: 107, pass: 48, highEdge: 3 }), opts);
    expect(q43!.daily_signal).toBe('RED');
  });

  it('fewer than 10 bets (the rest PASS) is INSUFFICIENT_DATA, not a 0 % OVER RED', () => {
    const [row] = computeSignals(slate('catboost_v9', { over: 0, under: 9, pass: 40 }), opts);
    expect(row!.daily_signal).toBe('INSUFFICIENT_DATA');
    expect(row!.signal_explanation).toMatch(/9 bets.*minimum 10/);
    const [ten] = computeSignals(slate('catboost_v9', { over: 5, under: 5, pass: 40, highEdge: 3 }), opts);
    expect(ten!.daily_signal).toBe('GREEN');
  });

  it('pct_over exactly 25 and 35 from real rows stay on the lenient side', () => {
    const at25 = computeSignals(slate('catboost_v9', { over: 5, under: 15, highEdge: 3 }), opts)[0]!;
    expect(at25.pct_over).toBe(25);
    expect(at25.daily_signal).toBe('YELLOW');
    const at35 = computeSignals(slate('catboost_v9', { over: 7, under: 13, highEdge: 3 }), opts)[0]!;
    expect(at35.pct_over).toBe(35);
    expect(at35.skew_category).toBe('BALANCED');
    expect(at35.daily_signal).toBe('GREEN');
  });

  it('slate of 4 games is RED, 5 is not', () => {
    const rows = slate('catboost_v9', { over: 10, under: 10, highEdge: 4 });
    expect(computeSignals(rows, { ...opts, slateGames: 4 })[0]!.daily_signal).toBe('RED');
    expect(computeSignals(rows, { ...opts, slateGames: 5 })[0]!.daily_signal).toBe('GREEN');
  });

  it('9 rows -> INSUFFICIENT_DATA row saying so; 10 rows -> a signal', () => {
    const nine = computeSignals(slate('catboost_v9', { over: 3, under: 6, highEdge: 3 }), opts)[0]!;
    expect(nine.daily_signal).toBe('INSUFFICIENT_DATA');
    expect(nine.skew_category).toBe('NONE');
    expect(nine.signal_explanation).toMatch(/9 current rows.*minimum 10/);
    expect(nine.total_picks).toBe(9);
    const ten = computeSignals(slate('catboost_v9', { over: 5, under: 5, highEdge: 3 }), opts)[0]!;
    expect(ten.daily_signal).toBe('GREEN');
  });

  it('an expected system with no rows still gets a row', () => {
    const out = computeSignals(slate('catboost_v9', { over: 6, under: 14, highEdge: 4 }), {
      ...opts,
      expectedSystemIds: ['catboost_v9', 'catboost_v9_train1201_0131'],
    });
    expect(out).toHaveLength(2);
    expect(out[1]).toMatchObject({
      system_id: 'catboost_v9_train1201_0131',
      model_role: 'challenger',
      total_picks: 0,
      pct_over: 0,
      avg_pvl: null,
      daily_signal: 'INSUFFICIENT_DATA',
    });
    expect(out[1]!.signal_explanation).toContain('produced no rows');
  });

  it('no rows and no expected systems -> no rows', () => {
    expect(computeSignals([], opts)).toEqual([]);
  });

  it('slate size from predictions = distinct games', () => {
    expect(slateGamesFromPredictions([{ game_id: 'a' }, { game_id: 'b' }, { game_id: 'a' }])).toBe(2);
  });
});
