import { describe, expect, it } from 'vitest';
import { BloomFilter } from './bloom-filter.js';

describe('BloomFilter', () => {
  it('sizes by the textbook optimum: 1 % → ~9.6 bits and 7 hashes per string', () => {
    const f = BloomFilter.forCapacity(100_000, 0.01);
    expect(f.bitCount / 100_000).toBeCloseTo(9.585, 2);
    expect(f.hashes).toBe(7);
  });

  it('never forgets an added string, and at capacity its false-positive rate is near the design rate', () => {
    const n = 50_000;
    const f = BloomFilter.forCapacity(n, 0.01);
    // Pub/Sub-like numeric ids and arbitrary text ids.
    const added = Array.from({ length: n }, (_, i) => (i % 2 ? String(17_000_000_000_000_000 + i * 7919) : `msg-${i}-é`));
    for (const id of added) f.add(id);
    expect(added.every((id) => f.mightContain(id))).toBe(true);
    let falsePositives = 0;
    const probes = 100_000;
    for (let i = 0; i < probes; i++) if (f.mightContain(`other-${i}`)) falsePositives++;
    const rate = falsePositives / probes;
    expect(rate).toBeGreaterThan(0.004); // it IS a Bloom filter at capacity…
    expect(rate).toBeLessThan(0.02); // …with the rate it was sized for
  });

  it('an empty filter contains nothing; bad sizes are refused', () => {
    const f = BloomFilter.forCapacity(10, 0.01);
    expect(f.mightContain('')).toBe(false);
    expect(f.mightContain('x')).toBe(false);
    f.add('');
    expect(f.mightContain('')).toBe(true);
    expect(() => new BloomFilter(0, 3)).toThrow(RangeError);
  });
});
