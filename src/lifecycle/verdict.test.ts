import { describe, expect, it } from 'vitest';
import {
  MIN_VERDICT_DAYS,
  VERDICT_ALPHA,
  VERDICT_HORIZON_DAYS,
  csMargin,
  decideVerdict,
  formatVerdict,
  matchGradedRows,
  mixtureRho2,
  verdictFromRows,
  type MatchedPair,
  type VerdictRow,
} from './verdict.js';
import { createRng, normal, type Rng } from '../synthetic/prng.js';

const IDS = { challengerId: 'catboost_v9_chal', championId: 'catboost_v9' };

function row(systemId: string, date: string, player: string, outcome: VerdictRow['outcome'], over: Partial<VerdictRow> = {}): VerdictRow {
  const bet = outcome === 'WIN' || outcome === 'LOSS' || outcome === 'PUSH';
  return {
    system_id: systemId,
    game_date: date,
    game_id: `${date.replaceAll('-', '')}_AAA_BBB`,
    player_lookup: player,
    line_value: 20.5,
    recommendation: bet ? 'OVER' : 'PASS',
    outcome,
    edge: bet ? 3.5 : 0.5,
    absolute_error: 5,
    signed_error: 1,
    within_3_points: false,
    within_5_points: true,
    ...over,
  };
}

function date(i: number): string {
  return new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10);
}

/** One day of matched pairs: each side's wins and losses (the rest of `n` rows are PASS). */
function day(i: number, s: { n?: number; chalW: number; chalL: number; champW: number; champL: number; chalErr?: number; champErr?: number }): MatchedPair[] {
  const n = s.n ?? Math.max(s.chalW + s.chalL, s.champW + s.champL);
  const out: MatchedPair[] = [];
  const side = (k: number, w: number, l: number): VerdictRow['outcome'] => (k < w ? 'WIN' : k < w + l ? 'LOSS' : 'NO_BET');
  // the champion's wins sit on scrambled rows: the two models' results are close to independent
  const stride = [7, 11, 13, 17, 19, 23].find((p) => n % p !== 0) ?? 1;
  for (let k = 0; k < n; k++) {
    const d = date(i);
    out.push({
      challenger: row(IDS.challengerId, d, `p${k}`, side(k, s.chalW, s.chalL), { absolute_error: s.chalErr ?? 5 }),
      champion: row(IDS.championId, d, `p${k}`, side((k * stride + i) % n, s.champW, s.champL), { absolute_error: s.champErr ?? 5 }),
    });
  }
  return out;
}

/** Spread `total` over `days` as evenly as possible. */
function spread(total: number, days: number): number[] {
  return Array.from({ length: days }, (_, i) => Math.floor(total / days) + (i < total % days ? 1 : 0));
}

describe('the operator scenario: 56.5 % (260) vs 55.6 % (306) is noise', () => {
  // 7 game days; challenger 147/260, champion 170/306, as in the issue
  const cw = spread(147, 7);
  const cn = spread(260, 7);
  const hw = spread(170, 7);
  const hn = spread(306, 7);
  const pairs = Array.from({ length: 7 }, (_, i) => day(i, { chalW: cw[i]!, chalL: cn[i]! - cw[i]!, champW: hw[i]!, champL: hn[i]! - hw[i]! })).flat();
  const v = decideVerdict(pairs, IDS);

  it('reports both hit rates with their N and says NOT YET DECIDED', () => {
    expect(v.hitRate.challenger).toMatchObject({ wins: 147, n: 260 });
    expect(v.hitRate.champion).toMatchObject({ wins: 170, n: 306 });
    expect(v.hitRate.challenger.pct).toBeCloseTo(56.54, 2);
    expect(v.hitRate.champion.pct).toBeCloseTo(55.56, 2);
    expect(v.gameDays).toBe(7);
    expect(v.verdict).toBe('NOT YET DECIDED');
    expect(v.hitRate.diffPp!.estimate).toBeCloseTo(0.98, 1);
    expect(v.hitRate.diffPp!.lower).toBeLessThan(0);
    expect(v.hitRate.diffPp!.upper).toBeGreaterThan(0);
  });

  it('estimates how many more bets would decide it at this effect size', () => {
    expect(v.toDecide?.moreBets).toBeGreaterThan(1000);
    expect(v.toDecide?.moreGameDays).toBeGreaterThan(7);
    expect(v.toDecide?.why).toMatch(/more graded bets/);
  });
});

describe('bets needed: the projection holds when the effect and spread do', () => {
  it('repeating the same days for the projected number of extra days decides it', () => {
    const pattern = (i: number) => {
      const j = i % 6;
      return day(i, { chalW: 52 + j, chalL: 48 - j, champW: 50 - (j % 3), champL: 50 + (j % 3) });
    };
    const days = (n: number) => Array.from({ length: n }, (_, i) => pattern(i)).flat();
    const now = decideVerdict(days(6), IDS);
    expect(now.verdict).toBe('NOT YET DECIDED');
    const more = now.toDecide!.moreGameDays!;
    expect(more).toBeGreaterThan(0);
    expect(now.toDecide!.moreBets).toBe(Math.ceil(more * (now.hitRate.challenger.n / 6)));
    // six-day cycles keep the effect and the spread; allow one cycle of slack for the estimate
    const cycles = Math.ceil((6 + more) / 6) + 1;
    expect(decideVerdict(days(cycles * 6), IDS).verdict).toBe('CHALLENGER BETTER');
    // and not grossly pessimistic: at half the projected extra days it is still undecided
    expect(decideVerdict(days(6 + Math.floor(more / 2)), IDS).verdict).toBe('NOT YET DECIDED');
  });
});

describe('decision boundaries', () => {
  it(`fewer than ${MIN_VERDICT_DAYS} game days: never decided, however large the effect`, () => {
    const big = (i: number) => day(i, { chalW: 80, chalL: 20, champW: 40, champL: 60 });
    const four = Array.from({ length: MIN_VERDICT_DAYS - 1 }, (_, i) => big(i)).flat();
    const five = Array.from({ length: MIN_VERDICT_DAYS }, (_, i) => big(i)).flat();
    expect(decideVerdict(four, IDS).verdict).toBe('NOT YET DECIDED');
    expect(decideVerdict(four, IDS).hitRate.diffPp).toBeNull();
    expect(decideVerdict(four, IDS).toDecide?.why).toBe('wait for 1 more game day(s)');
    expect(decideVerdict(five, IDS).verdict).toBe('CHALLENGER BETTER');
  });

  it('the lower end of the interval crossing 0 is the boundary: one win more or less flips it', () => {
    // 10 days with day-to-day variation; find the smallest challenger win total that decides
    const build = (extraWins: number) =>
      Array.from({ length: 10 }, (_, i) => {
        const champW = 50 + ((i * 7) % 5) - 2;
        const bonus = Math.floor(extraWins / 10) + (i < extraWins % 10 ? 1 : 0);
        const chalW = 50 + ((i * 3) % 7) - 3 + bonus;
        return day(i, { chalW, chalL: 100 - chalW, champW, champL: 100 - champW });
      }).flat();
    let k = 0;
    while (decideVerdict(build(k), IDS).verdict !== 'CHALLENGER BETTER') k++;
    const at = decideVerdict(build(k), IDS);
    const below = decideVerdict(build(k - 1), IDS);
    expect(at.hitRate.diffPp!.lower).toBeGreaterThan(0);
    expect(below.hitRate.diffPp!.lower).toBeLessThanOrEqual(0);
    expect(below.verdict).toBe('NOT YET DECIDED');
    // and it takes a real effect, not 1 pp: at least +4 pp on 1000 bets a side
    expect(at.hitRate.diffPp!.estimate).toBeGreaterThan(4);
  });

  it('1 pp worse: undecided on a week, CHAMPION BETTER once there is a season of evidence', () => {
    const worse = (days: number) => Array.from({ length: days }, (_, i) => day(i, { n: 1000, chalW: 540 + (i % 3) - 1, chalL: 460 - (i % 3) + 1, champW: 550, champL: 450 })).flat();
    expect(decideVerdict(worse(7), IDS).verdict).toBe('NOT YET DECIDED');
    const long = decideVerdict(worse(60), IDS);
    expect(long.hitRate.diffPp!.estimate).toBeCloseTo(-1, 5);
    expect(long.verdict).toBe('CHAMPION BETTER');
  });

  it('bets within a day are correlated: the same totals clustered into good and bad days do not decide', () => {
    // both: challenger 600/1000 vs champion 500/1000 over 10 days
    const even = Array.from({ length: 10 }, (_, i) => day(i, { chalW: 60, chalL: 40, champW: 50, champL: 50 })).flat();
    const clustered = Array.from({ length: 10 }, (_, i) =>
      i % 2 === 0 ? day(i, { chalW: 95, chalL: 5, champW: 50, champL: 50 }) : day(i, { chalW: 25, chalL: 75, champW: 50, champL: 50 }),
    ).flat();
    const a = decideVerdict(even, IDS);
    const b = decideVerdict(clustered, IDS);
    expect(a.hitRate.diffPp!.estimate).toBeCloseTo(10, 9);
    expect(b.hitRate.diffPp!.estimate).toBeCloseTo(10, 9);
    expect(a.verdict).toBe('CHALLENGER BETTER');
    expect(b.verdict).toBe('NOT YET DECIDED');
    expect(b.hitRate.diffPp!.halfWidth).toBeGreaterThan(5 * Math.max(a.hitRate.diffPp!.halfWidth, 1e-9));
  });

  it('MAE: a challenger decisively less accurate is CHAMPION BETTER unless its hit rate is better beyond doubt', () => {
    const pairs = Array.from({ length: 8 }, (_, i) => day(i, { chalW: 50, chalL: 50, champW: 50, champL: 50, chalErr: 6 + (i % 2) * 0.1, champErr: 5 })).flat();
    const v = decideVerdict(pairs, IDS);
    expect(v.mae.diffPoints!.estimate).toBeCloseTo(1.05, 9);
    expect(v.mae.challenger).toMatchObject({ n: 800 });
    expect(v.verdict).toBe('CHAMPION BETTER');
    expect(v.reason).toMatch(/MAE worse/);
    // hit rate better beyond doubt but MAE worse: conflicting, not decided
    const conflict = Array.from({ length: 8 }, (_, i) => day(i, { chalW: 70, chalL: 30, champW: 50, champL: 50, chalErr: 6 + (i % 2) * 0.1, champErr: 5 })).flat();
    const c = decideVerdict(conflict, IDS);
    expect(c.verdict).toBe('NOT YET DECIDED');
    expect(c.reason).toMatch(/conflicting/);
  });
});

describe('valid under daily looks (the reason for a confidence sequence)', () => {
  /**
   * Two equally good models, 30 game days, looked at after every day. Each day has a shared shock
   * (a soft or sharp book that day) that moves both models' hit rates. A fixed-sample 95 % interval
   * checked daily declares a winner far more often than 5 %; the confidence sequence must not.
   */
  function season(rng: Rng, days: number): MatchedPair[][] {
    const out: MatchedPair[][] = [];
    for (let i = 0; i < days; i++) {
      const shock = normal(rng, 0, 0.06);
      const pA = 0.52 + shock + normal(rng, 0, 0.03);
      const pB = 0.52 + shock + normal(rng, 0, 0.03);
      const n = 40 + Math.floor(rng.next() * 40);
      let chalW = 0;
      let champW = 0;
      for (let k = 0; k < n; k++) {
        if (rng.next() < pA) chalW++;
        if (rng.next() < pB) champW++;
      }
      out.push(day(i, { chalW, chalL: n - chalW, champW, champL: n - champW }));
    }
    return out;
  }

  it('false decisions over 30 daily looks stay near 5 % (a naive daily z-test is far above)', () => {
    const rng = createRng(1234);
    const SEASONS = 100;
    let csFalse = 0;
    let naiveFalse = 0;
    for (let s = 0; s < SEASONS; s++) {
      const days = season(rng, 30);
      let csHit = false;
      let naiveHit = false;
      for (let t = 1; t <= days.length; t++) {
        const pairs = days.slice(0, t).flat();
        const v = decideVerdict(pairs, IDS);
        if (v.verdict !== 'NOT YET DECIDED') csHit = true;
        // naive: pooled two-proportion z on bets, fixed 1.96, every day
        const { challenger: a, champion: b } = v.hitRate;
        const p = (a.wins + b.wins) / (a.n + b.n);
        const z = (a.wins / a.n - b.wins / b.n) / Math.sqrt(p * (1 - p) * (1 / a.n + 1 / b.n));
        if (Math.abs(z) > 1.96) naiveHit = true;
      }
      if (csHit) csFalse++;
      if (naiveHit) naiveFalse++;
    }
    expect(naiveFalse / SEASONS).toBeGreaterThan(0.2);
    expect(csFalse / SEASONS).toBeLessThanOrEqual(0.08);
  });

  it('the boundary: margin shrinks with days and is wider than a fixed 95 % interval', () => {
    const rho2 = mixtureRho2(VERDICT_HORIZON_DAYS, VERDICT_ALPHA);
    let prev = Infinity;
    for (const t of [5, 7, 14, 30, 100, 1000]) {
      const m = csMargin(t, rho2, VERDICT_ALPHA);
      expect(m).toBeLessThan(prev);
      expect(m).toBeGreaterThan(1.96 / Math.sqrt(t));
      prev = m;
    }
    // the closed form at the tuning horizon (hand-computed): sqrt(2(14 r + 1)/(14^2 r) ln(sqrt(14 r + 1)/0.05))
    const r = (-2 * Math.log(0.05) + Math.log(-2 * Math.log(0.05) + 1)) / 14;
    expect(csMargin(14, rho2, 0.05)).toBeCloseTo(Math.sqrt(((2 * (14 * r + 1)) / (196 * r)) * Math.log(Math.sqrt(14 * r + 1) / 0.05)), 12);
    expect(csMargin(14, rho2, 0.05) / (1.96 / Math.sqrt(14))).toBeGreaterThan(1.2);
    expect(csMargin(14, rho2, 0.05) / (1.96 / Math.sqrt(14))).toBeLessThan(1.6);
  });
});

describe('matching, disagreements and N of every figure', () => {
  it('matches on date, game, player and line only; counts opposite-side disagreements', () => {
    const d = date(0);
    const rows: VerdictRow[] = [
      row(IDS.challengerId, d, 'a', 'WIN', { recommendation: 'UNDER' }),
      row(IDS.championId, d, 'a', 'LOSS', { recommendation: 'OVER' }), // disagreement, challenger wins
      row(IDS.challengerId, d, 'b', 'LOSS', { recommendation: 'OVER' }),
      row(IDS.championId, d, 'b', 'WIN', { recommendation: 'UNDER' }), // disagreement, champion wins
      row(IDS.challengerId, d, 'c', 'WIN', { recommendation: 'UNDER' }),
      row(IDS.championId, d, 'c', 'LOSS', { recommendation: 'OVER' }), // disagreement, challenger wins
      row(IDS.challengerId, d, 'e', 'WIN'),
      row(IDS.championId, d, 'e', 'WIN', { line_value: 21.5 }), // different line: not matched
      row(IDS.challengerId, d, 'f', 'WIN'), // champion has no row
      row('catboost_v9_other', d, 'a', 'LOSS'), // another system: ignored
    ];
    expect(matchGradedRows(rows, IDS)).toHaveLength(3);
    const v = verdictFromRows(rows, IDS);
    expect(v.matchedRows).toBe(3);
    expect(v.disagreement).toEqual({ n: 3, challengerWins: 2, championWins: 1, decided: 3, challengerHitRatePct: (2 / 3) * 100 });
    expect(v.verdict).toBe('NOT YET DECIDED');
    const text = formatVerdict(v).join('\n');
    expect(text).toContain('(N=3) vs catboost_v9');
    expect(text).toContain('disagreements 3');
    expect(text).toContain('3 matched rows over 1 game day(s)');
    expect(text).toContain('confidence sequence');
  });

  it('no rows: NOT YET DECIDED with N = 0, never a throw', () => {
    const v = decideVerdict([], IDS);
    expect(v.verdict).toBe('NOT YET DECIDED');
    expect(v.matchedRows).toBe(0);
    expect(v.hitRate.challenger).toEqual({ wins: 0, n: 0, pct: null });
  });
});
