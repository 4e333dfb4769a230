import { describe, expect, it } from 'vitest';
import { wilsonInterval, Z_95 } from './wilson.js';
import { unitsWon } from './metrics.js';

describe('wilsonInterval', () => {
  it('matches published 95 % Wilson intervals', () => {
    // 5/10: (0.2366, 0.7634); 0/10: (0, 0.2775); 10/10: (0.7225, 1) — e.g. statsmodels
    // proportion_confint(k, n, method='wilson') and Brown, Cai & DasGupta (2001).
    const half = wilsonInterval(5, 10)!;
    expect(half.lowPct).toBeCloseTo(23.66, 2);
    expect(half.highPct).toBeCloseTo(76.34, 2);
    const none = wilsonInterval(0, 10)!;
    expect(none.lowPct).toBe(0);
    expect(none.highPct).toBeCloseTo(27.75, 2);
    const all = wilsonInterval(10, 10)!;
    expect(all.lowPct).toBeCloseTo(72.25, 2);
    expect(all.highPct).toBeCloseTo(100, 10);
    // 55/100: (0.4524, 0.6439)
    const mid = wilsonInterval(55, 100)!;
    expect(mid.lowPct).toBeCloseTo(45.24, 2);
    expect(mid.highPct).toBeCloseTo(64.39, 2);
  });

  it('narrows with N and contains the observed rate', () => {
    const small = wilsonInterval(6, 10)!;
    const large = wilsonInterval(600, 1000)!;
    expect(large.highPct - large.lowPct).toBeLessThan(small.highPct - small.lowPct);
    expect(large.lowPct).toBeLessThan(60);
    expect(large.highPct).toBeGreaterThan(60);
  });

  it('null without data; refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(() => wilsonInterval(11, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 10)).toThrow(RangeError);
    expect(() => wilsonInterval(1.5, 10)).toThrow(RangeError);
    expect(Z_95).toBeCloseTo(1.96, 2);
  });
});

describe('unitsWon', () => {
  it('-110: a win pays 100/110, a loss costs 1, pushes nothing', () => {
    expect(unitsWon({ wins: 11, losses: 0 })).toBeCloseTo(10, 10);
    expect(unitsWon({ wins: 0, losses: 3 })).toBe(-3);
    expect(unitsWon({ wins: 11, losses: 10 })).toBeCloseTo(0, 10);
    // at the breakeven hit rate (110/210 = 52.38 %) units are zero
    expect(unitsWon({ wins: 110, losses: 100 })).toBeCloseTo(0, 10);
  });

  it('positive odds pay odds/100; odds inside (-100, 100) are refused', () => {
    expect(unitsWon({ wins: 2, losses: 1 }, 150)).toBeCloseTo(2, 10);
    expect(() => unitsWon({ wins: 1, losses: 1 }, 50)).toThrow(RangeError);
  });
});
