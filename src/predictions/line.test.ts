import { describe, expect, it } from 'vitest';
import { chooseLine, median } from './line.js';

describe('chooseLine: one line per message, with provenance', () => {
  it('uses actual_prop_line for a real ACTUAL_PROP line', () => {
    expect(chooseLine({ has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: 24.5, line_values: [22.5, 26.5] })).toEqual({ value: 24.5, provenance: 'actual_prop_line' });
  });
  it('falls back to the median of line_values when actual_prop_line is missing or not finite', () => {
    expect(chooseLine({ has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: null, line_values: [26.5, 22.5, null, 24.5] })).toEqual({ value: 24.5, provenance: 'line_values_median' });
    expect(chooseLine({ has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: NaN, line_values: [20.5, 21.5] })).toEqual({ value: 21, provenance: 'line_values_median' });
  });
  it('ignores actual_prop_line unless the source is ACTUAL_PROP (stale Phase-3 line)', () => {
    expect(chooseLine({ has_prop_line: true, line_source: 'ODDS', actual_prop_line: 30, line_values: [24.5] })).toEqual({ value: 24.5, provenance: 'line_values_median' });
  });
  it('no line without has_prop_line, even when numbers are present (legacy estimated lines)', () => {
    expect(chooseLine({ has_prop_line: false, line_source: 'ESTIMATED_AVG', actual_prop_line: 20, line_values: [20] })).toEqual({ value: null, provenance: 'none' });
    expect(chooseLine({ has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: null, line_values: [null] })).toEqual({ value: null, provenance: 'none' });
  });
  it('median of finite numbers only', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([Infinity, null, undefined])).toBeUndefined();
  });
});

describe('median without overflow (issue 7, class 1)', () => {
  it('two lines near Number.MAX_VALUE have a finite median', () => {
    expect(median([1e308, 1.7e308])).toBe(1.35e308);
    expect(median([Number.MAX_VALUE, Number.MAX_VALUE])).toBe(Number.MAX_VALUE);
    expect(median([20.5, 21.5])).toBe(21);
  });
});
