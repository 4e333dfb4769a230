import { describe, expect, it } from 'vitest';
import { assembleFeatures, vegasBlock } from './assemble.js';
import { FEATURE_DEFAULTS, V9_FEATURE_INDEX, V9_FEATURE_NAMES, type V9FeatureName } from './contract.js';

function storeRow(values: Partial<Record<string, number>>): { feature_names: string[]; features: number[] } {
  const names = Object.keys(values);
  return { feature_names: names, features: names.map((n) => values[n]!) };
}

const full: Record<string, number> = Object.fromEntries(V9_FEATURE_NAMES.map((n, i) => [n, i + 0.5]));
const at = (v: Float64Array, n: V9FeatureName) => v[V9_FEATURE_INDEX[n]];

describe('assembleFeatures', () => {
  it('maps by name, not by position', () => {
    const reversed = storeRow(Object.fromEntries(Object.entries(full).reverse()));
    const { vector, defaulted, notes } = assembleFeatures(reversed, null);
    expect(at(vector, 'points_avg_last_5')).toBe(0.5);
    expect(at(vector, 'ppm_avg_last_10')).toBe(32.5);
    expect(defaulted).toEqual([]);
    expect(notes).toEqual([]);
  });

  it('missing nullable → NaN; missing other → default and listed; critical ones flagged', () => {
    const { pct_paint: _a, team_pace: _b, minutes_avg_last_10: _c, ...rest } = full;
    const { vector, defaulted, missingCritical } = assembleFeatures(storeRow(rest), 24.5);
    expect(at(vector, 'pct_paint')).toBeNaN();
    expect(at(vector, 'team_pace')).toBe(FEATURE_DEFAULTS.team_pace);
    expect(at(vector, 'minutes_avg_last_10')).toBe(FEATURE_DEFAULTS.minutes_avg_last_10);
    expect(defaulted).toEqual(['team_pace', 'minutes_avg_last_10']);
    expect(missingCritical).toEqual(['minutes_avg_last_10']);
  });

  it('notes duplicates (first wins), unknown names, non-finite values and length mismatch', () => {
    const row = { feature_names: ['points_avg_last_5', 'points_avg_last_5', 'breakout_score', 'team_pace', 'extra'], features: [10, 99, 1, NaN] };
    const { vector, notes, defaulted } = assembleFeatures(row, null);
    expect(at(vector, 'points_avg_last_5')).toBe(10);
    expect(defaulted).toContain('team_pace');
    expect(notes.join('\n')).toMatch(/duplicate feature 'points_avg_last_5'/);
    expect(notes.join('\n')).toMatch(/breakout_score/);
    expect(notes.join('\n')).toMatch(/'team_pace' is not a finite number/);
    expect(notes.join('\n')).toMatch(/feature_names has 5 entries, features has 4/);
  });
});

describe('vegas override', () => {
  const store = new Map<V9FeatureName, number>([['vegas_points_line', 22.5], ['vegas_opening_line', 21.5], ['vegas_line_move', 1], ['has_vegas_line', 1]]);

  it('request line wins; the real opening line is kept, the move recomputed', () => {
    expect(vegasBlock(store, 24.5)).toEqual({ source: 'request_line', values: { vegas_points_line: 24.5, vegas_opening_line: 21.5, vegas_line_move: 3, has_vegas_line: 1 } });
  });
  it('request line without a stored opening: move unknown (NaN), not 0', () => {
    const r = vegasBlock(new Map(), 24.5);
    expect(r.values.vegas_opening_line).toBeNaN();
    expect(r.values.vegas_line_move).toBeNaN();
    expect(r.values.has_vegas_line).toBe(1);
  });
  it('no request line: store values kept', () => {
    expect(vegasBlock(store, null)).toEqual({ source: 'feature_store', values: { vegas_points_line: 22.5, vegas_opening_line: 21.5, vegas_line_move: 1, has_vegas_line: 1 } });
  });
  it('neither: NaN and has_vegas_line 0, flagged critical', () => {
    const { vector, vegasSource, missingCritical, fsVegasPointsLine } = assembleFeatures(storeRow({ vegas_opening_line: 20 }), null);
    expect(vegasSource).toBe('none');
    expect(at(vector, 'vegas_points_line')).toBeNaN();
    expect(at(vector, 'vegas_opening_line')).toBeNaN();
    expect(at(vector, 'has_vegas_line')).toBe(0);
    expect(missingCritical).toContain('vegas_points_line');
    expect(fsVegasPointsLine).toBeNull();
  });
});
