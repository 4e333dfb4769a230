import { describe, expect, it } from 'vitest';
import { createRng, intBetween, normal, shuffled } from './prng.js';

const draw = (seed: number, label: string, n: number) => {
  const rng = createRng(seed, label);
  return Array.from({ length: n }, () => rng.next());
};

describe('createRng', () => {
  it('gives the same stream for the same seed and label', () => {
    expect(draw(42, 'a', 50)).toEqual(draw(42, 'a', 50));
  });

  it('gives different streams for different seeds or labels', () => {
    expect(draw(42, 'a', 20)).not.toEqual(draw(43, 'a', 20));
    expect(draw(42, 'a', 20)).not.toEqual(draw(42, 'b', 20));
  });

  it('stays in [0, 1) and looks uniform', () => {
    const xs = draw(1, 'u', 20_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });

  it('draws normals with the requested mean and spread', () => {
    const rng = createRng(3, 'n');
    const xs = Array.from({ length: 20_000 }, () => normal(rng, 10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('intBetween covers both ends; shuffled is a permutation', () => {
    const rng = createRng(5, 'i');
    const seen = new Set(Array.from({ length: 500 }, () => intBetween(rng, 5, 12)));
    expect([...seen].sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    const items = Array.from({ length: 30 }, (_, i) => i);
    expect(shuffled(rng, items).sort((a, b) => a - b)).toEqual(items);
  });

  it('refuses a seed that is not a safe integer', () => {
    expect(() => createRng(1.5)).toThrow(RangeError);
  });
});
