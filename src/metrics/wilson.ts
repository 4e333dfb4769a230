/**
 * @module metrics/wilson
 * The one home of the hit-rate interval: the Wilson score interval for a binomial proportion
 * (E. B. Wilson, "Probable inference, the law of succession, and statistical inference",
 * JASA 22(158), 1927; the form recommended by Brown, Cai & DasGupta, Statistical Science 16(2),
 * 2001, for small N). For k wins in n decided bets, p = k/n and z the normal quantile:
 *
 *   centre = (p + z²/2n) / (1 + z²/n)
 *   half   = z / (1 + z²/n) * sqrt(p(1-p)/n + z²/4n²)
 *
 * Unlike p ± z·sqrt(p(1-p)/n) it stays inside [0, 1] and is not zero-width at 0 or n wins.
 * Every hit-rate band on the dashboard, and the digest, read it from here.
 */

/** z for a two-sided 95 % interval (the 97.5th percentile of the standard normal). */
export const Z_95 = 1.959963984540054;

export interface Interval {
  /** Lower and upper bound, percent 0-100. */
  lowPct: number;
  highPct: number;
}

/**
 * Wilson score interval for `wins` successes in `n` trials (decided bets: wins + losses), in
 * percent. Null when n is 0 (no interval without data). Throws a RangeError when wins is not an
 * integer in [0, n].
 */
export function wilsonInterval(wins: number, n: number, z: number = Z_95): Interval | null {
  if (!Number.isInteger(wins) || !Number.isInteger(n) || wins < 0 || wins > n) {
    throw new RangeError(`wilsonInterval: need integers 0 <= wins <= n, got wins=${wins}, n=${n}`);
  }
  if (n === 0) return null;
  const p = wins / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { lowPct: Math.max(0, centre - half) * 100, highPct: Math.min(1, centre + half) * 100 };
}
