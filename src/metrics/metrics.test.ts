import { describe, expect, it } from 'vitest';
import {
  BREAKEVEN_HIT_RATE_PCT,
  absEdgeAtLeast,
  championFirst,
  computeMetrics,
  computeSlateMetrics,
  edgeOf,
  edgePoints,
  isRealBookLine,
  type GradedRowForMetrics,
  type PredictionForMetrics,
} from './metrics.js';

function graded(over: Partial<GradedRowForMetrics> = {}): GradedRowForMetrics {
  return {
    outcome: 'WIN',
    recommendation: 'OVER',
    edge: 2,
    absolute_error: 1,
    signed_error: 1,
    within_3_points: true,
    within_5_points: true,
    ...over,
  };
}

describe('computeMetrics', () => {
  it('empty input gives zero counts and null rates', () => {
    const m = computeMetrics([]);
    expect(m.n_rows).toBe(0);
    expect(m.all).toEqual({ n_bets: 0, n_decided: 0, wins: 0, losses: 0, pushes: 0, voids: 0, hit_rate_pct: null });
    expect(m.mae_points).toBeNull();
    expect(m.bias_points).toBeNull();
    expect(m.mean_pvl_points).toBeNull();
    expect(m.within_3_pct).toBeNull();
  });

  it('hit rate excludes pushes and voids from the denominator', () => {
    const rows = [
      graded({ outcome: 'WIN' }),
      graded({ outcome: 'WIN' }),
      graded({ outcome: 'LOSS' }),
      graded({ outcome: 'PUSH' }),
      graded({ outcome: 'VOID', absolute_error: null, signed_error: null, within_3_points: null, within_5_points: null }),
    ];
    const m = computeMetrics(rows);
    expect(m.all.n_bets).toBe(5);
    expect(m.all.n_decided).toBe(3);
    expect(m.all.pushes).toBe(1);
    expect(m.all.voids).toBe(1);
    expect(m.all.hit_rate_pct).toBeCloseTo((2 / 3) * 100, 10);
  });

  it('all pushes -> null hit rate, not 0', () => {
    const m = computeMetrics([graded({ outcome: 'PUSH' }), graded({ outcome: 'PUSH' })]);
    expect(m.all.n_bets).toBe(2);
    expect(m.all.hit_rate_pct).toBeNull();
  });

  it('NO_BET and UNGRADED rows are never bets', () => {
    const m = computeMetrics([
      graded({ outcome: 'NO_BET', recommendation: 'PASS' }),
      graded({ outcome: 'UNGRADED', absolute_error: null, signed_error: null }),
    ]);
    expect(m.all.n_bets).toBe(0);
    expect(m.n_no_bet).toBe(1);
    expect(m.n_ungraded).toBe(1);
    // the PASS row still has an error: MAE covers every row whose player played
    expect(m.n_scored).toBe(1);
  });

  it('edge buckets include |edge| exactly 3 and 5, on both sides, despite float noise', () => {
    const rows = [
      graded({ edge: 24.3 - 21.3, outcome: 'WIN' }), // 2.9999999999999964 in floating point
      graded({ edge: -3, outcome: 'LOSS', recommendation: 'UNDER' }),
      graded({ edge: 2.95, outcome: 'WIN' }),
      graded({ edge: 5, outcome: 'WIN' }),
      graded({ edge: -4.99, outcome: 'WIN', recommendation: 'UNDER' }),
    ];
    const m = computeMetrics(rows);
    expect(m.edge_3plus.n_bets).toBe(4);
    expect(m.edge_3plus.wins).toBe(3);
    expect(m.edge_3plus.hit_rate_pct).toBe(75);
    expect(m.edge_5plus.n_bets).toBe(1);
    expect(m.edge_5plus.hit_rate_pct).toBe(100);
  });

  it('splits OVER and UNDER', () => {
    const m = computeMetrics([
      graded({ recommendation: 'OVER', outcome: 'WIN' }),
      graded({ recommendation: 'OVER', outcome: 'LOSS' }),
      graded({ recommendation: 'UNDER', outcome: 'WIN', edge: -2 }),
    ]);
    expect(m.over).toMatchObject({ n_bets: 2, hit_rate_pct: 50 });
    expect(m.under).toMatchObject({ n_bets: 1, hit_rate_pct: 100 });
  });

  it('MAE, bias, within-N, PVL and mean |edge|', () => {
    const m = computeMetrics([
      graded({ absolute_error: 2, signed_error: 2, within_3_points: true, within_5_points: true, edge: 4 }),
      graded({ absolute_error: 4, signed_error: -4, within_3_points: false, within_5_points: true, edge: -2 }),
      graded({ absolute_error: 6, signed_error: -6, within_3_points: false, within_5_points: false, edge: null }),
    ]);
    expect(m.mae_points).toBe(4);
    expect(m.bias_points).toBeCloseTo(-8 / 3, 10);
    expect(m.within_3_pct).toBeCloseTo(100 / 3, 10);
    expect(m.within_5_pct).toBeCloseTo(200 / 3, 10);
    expect(m.n_with_line).toBe(2);
    expect(m.mean_pvl_points).toBe(1);
    expect(m.mean_abs_edge_points).toBe(3);
  });

  it('breakeven is 52.4 %', () => {
    expect(BREAKEVEN_HIT_RATE_PCT).toBe(52.4);
  });
});

describe('slate metrics and helpers', () => {
  const p = (over: Partial<PredictionForMetrics>): PredictionForMetrics => ({
    recommendation: 'OVER',
    has_prop_line: true,
    line_value: 20.5,
    predicted_points: 22,
    confidence_pct: 80,
    ...over,
  });

  it('counts only rows with a real book line', () => {
    const s = computeSlateMetrics([
      p({ predicted_points: 25.5 }), // edge +5
      p({ recommendation: 'UNDER', predicted_points: 17.5 }), // edge -3
      p({ recommendation: 'PASS', predicted_points: 21 }),
      p({ recommendation: 'NO_LINE', has_prop_line: false, line_value: null }),
      p({ recommendation: 'OVER', has_prop_line: false, line_value: 20 }), // a line that is not from a book
    ]);
    expect(s.n_with_line).toBe(3);
    expect(s.over_count).toBe(1);
    // shares of the bets (1 OVER + 1 UNDER): the PASS row is not a direction
    expect(s.n_bets).toBe(2);
    expect(s.pct_over).toBe(50);
    expect(s.pct_under).toBe(50);
    expect(s.edge_3plus_count).toBe(2);
    expect(s.edge_5plus_count).toBe(1);
    expect(s.mean_pvl_points).toBeCloseTo((5 - 3 + 0.5) / 3, 10);
  });

  it('empty slate: zero shares and null means', () => {
    const s = computeSlateMetrics([]);
    expect(s.pct_over).toBe(0);
    expect(s.avg_confidence_pct).toBeNull();
  });

  it('isRealBookLine needs both the flag and a value; absEdgeAtLeast ignores null', () => {
    expect(isRealBookLine({ has_prop_line: true, line_value: 20 })).toBe(true);
    expect(isRealBookLine({ has_prop_line: false, line_value: 20 })).toBe(false);
    expect(isRealBookLine({ has_prop_line: true, line_value: null })).toBe(false);
    expect(absEdgeAtLeast(null, 3)).toBe(false);
    expect(absEdgeAtLeast(-3, 3)).toBe(true);
    expect(absEdgeAtLeast(2.99, 3)).toBe(false);
  });

  it('championFirst puts the champion first then sorts the rest', () => {
    expect(championFirst(['b_x', 'catboost_v9', 'a_y', 'b_x'], 'catboost_v9')).toEqual(['catboost_v9', 'a_y', 'b_x']);
  });
});

describe('the one edge formula', () => {
  it('edgePoints = predicted - line in points; null without a line; edgeOf needs a real book line', () => {
    expect(edgePoints(24.3, 21.3)).toBeCloseTo(3, 12);
    expect(edgePoints(18, 20.5)).toBe(-2.5);
    expect(edgePoints(18, null)).toBeNull();
    expect(edgeOf({ has_prop_line: true, line_value: 20.5, predicted_points: 25 })).toBe(4.5);
    expect(edgeOf({ has_prop_line: false, line_value: 20.5, predicted_points: 25 })).toBeNull();
  });
});
