/**
 * @module lifecycle/verdict
 * THE verdict rule: is a challenger better than the champion on graded outcomes? Used by
 * `compare`, `registry promote` and anything that shows a verdict (the daily view). Pure.
 *
 * Input: graded rows of both systems. They are matched on (game_date, game_id, player_lookup,
 * line_value) (incident 10.8: unmatched windows flattered backtests); only matched rows count.
 *
 * Figures, each with its N:
 *   - hit rate of each side over its own decided bets (wins / (wins + losses)), and their
 *     difference in percentage points with a 95 % confidence SEQUENCE;
 *   - MAE of each side over the matched rows whose player played, and their difference
 *     (challenger - champion, points; negative = challenger more accurate) with a 95 % CS;
 *   - the disagreement hit rate: matched rows where the two took opposite sides;
 *   - the number of game days (the clusters) and the estimated further bets needed to decide.
 *
 * Statistics (docs/lifecycle.md has the derivation and sources):
 *   - Bets on one game day share shocks (pace, injuries, a soft book that day), so the unit of
 *     independence is the game DAY. Both differences are ratio estimators; their per-day
 *     linearised contributions y_d (cluster-robust "sandwich" influence values) give the
 *     variance sigma^2 = sum(y_d^2) / (D - 1) per day, D = game days.
 *   - Operators look every day, so a fixed-sample 95 % interval would be wrong (peeking inflates
 *     the false-decision rate far above 5 %). The interval is the asymptotic confidence sequence
 *     of Waudby-Smith, Arbour, Sinha, Kennedy & Ramdas (2024, "Time-uniform central limit theory
 *     and asymptotic confidence sequences", Ann. Statist.), i.e. Robbins' normal-mixture boundary
 *     (Howard, Ramdas, McAuliffe & Sekhon 2021, "Time-uniform, nonparametric, nonasymptotic
 *     confidence sequences", Ann. Statist. 49(2)) applied to the day-level sums:
 *         estimate ± sigma * sqrt( 2 (D rho^2 + 1) / (D^2 rho^2) * ln( sqrt(D rho^2 + 1) / alpha ) )
 *     valid simultaneously over every day D (so a daily look costs nothing), with rho^2 fixed in
 *     advance to be tightest at `horizonDays` (Howard et al. 2021's approximate optimum).
 *   - Fewer than MIN_VERDICT_DAYS game days: no interval is trusted (the CLT is across days).
 *
 * Verdict:
 *   CHALLENGER BETTER  hit-rate CS entirely above 0, and the MAE CS does not show the
 *                      challenger decisively less accurate (its lower end <= 0);
 *   CHAMPION BETTER    hit-rate CS entirely below 0, or the MAE CS entirely above 0 (challenger
 *                      decisively less accurate) while the hit-rate CS is not above 0;
 *   NOT YET DECIDED    everything else (including too few game days).
 */
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import { computeMetrics, fmt, hitRateTerms } from '../metrics/metrics.js';

export type VerdictLabel = 'CHALLENGER BETTER' | 'CHAMPION BETTER' | 'NOT YET DECIDED';

/** The graded-row fields the verdict reads (a PredictionAccuracyRow has them all). */
export type VerdictRow = Pick<
  PredictionAccuracyRow,
  | 'system_id'
  | 'game_date'
  | 'game_id'
  | 'player_lookup'
  | 'line_value'
  | 'recommendation'
  | 'outcome'
  | 'edge'
  | 'absolute_error'
  | 'signed_error'
  | 'within_3_points'
  | 'within_5_points'
>;

/** One matched bet opportunity: both systems' graded rows for the same date, game, player, line. */
export interface MatchedPair<R extends VerdictRow = VerdictRow> {
  challenger: R;
  champion: R;
}

/** Error rate of the confidence sequence (0.05 = 95 %). */
export const VERDICT_ALPHA = 0.05;
/** rho is tuned so the sequence is tightest after this many game days (validity does not depend on it). */
export const VERDICT_HORIZON_DAYS = 14;
/** Fewer game days than this: no decision (the variance is estimated across days). */
export const MIN_VERDICT_DAYS = 5;
/** The search for "bets needed" stops here (game days); beyond it the answer is "not in a season". */
const MAX_PROJECTION_DAYS = 2000;

export interface VerdictOptions {
  /** Default VERDICT_ALPHA. */
  alpha?: number;
  /** Default VERDICT_HORIZON_DAYS. */
  horizonDays?: number;
}

/** A difference with its always-valid interval. Units: percentage points (hit rate) or points (MAE). */
export interface DifferenceInterval {
  estimate: number;
  lower: number;
  upper: number;
  halfWidth: number;
  /** Per-game-day standard deviation of the linearised difference (sigma above). */
  sigmaPerDay: number;
}

export interface SideHitRate {
  wins: number;
  /** Decided bets (wins + losses): the hit-rate denominator. */
  n: number;
  pct: number | null;
}

export interface SideMae {
  /** Matched rows whose player played (the MAE denominator). */
  n: number;
  points: number | null;
}

export interface Verdict {
  verdict: VerdictLabel;
  /** One sentence: why this verdict. */
  reason: string;
  challengerId: string;
  championId: string;
  /** Matched rows and the game days they span (the clusters). */
  matchedRows: number;
  gameDays: number;
  hitRate: {
    challenger: SideHitRate;
    champion: SideHitRate;
    /** challenger - champion, percentage points; null before MIN_VERDICT_DAYS or without bets on a side. */
    diffPp: DifferenceInterval | null;
  };
  mae: {
    challenger: SideMae;
    champion: SideMae;
    /** challenger - champion, points (negative = challenger more accurate); null as above. */
    diffPoints: DifferenceInterval | null;
  };
  /** Matched rows where both bet and took opposite sides; exactly one of them can win. */
  disagreement: { n: number; challengerWins: number; championWins: number; decided: number; challengerHitRatePct: number | null };
  /** While NOT YET DECIDED: further graded bets (challenger decided bets) and game days that
   * would decide it if the current effect size and spread held; null when decided or not estimable. */
  toDecide: { moreBets: number | null; moreGameDays: number | null; why: string } | null;
  method: { alpha: number; horizonDays: number; minDays: number };
}

// --- matching -------------------------------------------------------------------------------

/** The match key: rows without a book line cannot be matched (the line is part of the key). */
export function matchKey(r: Pick<VerdictRow, 'game_date' | 'game_id' | 'player_lookup' | 'line_value'>): string | null {
  return r.line_value == null ? null : `${r.game_date}|${r.game_id}|${r.player_lookup}|${r.line_value}`;
}

/**
 * Pairs each challenger row with the champion row for the same date, game, player and line.
 * Rows of other systems are ignored. Order: the challenger rows' order.
 */
export function matchGradedRows<R extends VerdictRow>(rows: readonly R[], ids: { challengerId: string; championId: string }): MatchedPair<R>[] {
  const champByKey = new Map<string, R>();
  for (const r of rows) {
    if (r.system_id !== ids.championId) continue;
    const k = matchKey(r);
    if (k) champByKey.set(k, r);
  }
  const pairs: MatchedPair<R>[] = [];
  for (const r of rows) {
    if (r.system_id !== ids.challengerId) continue;
    const k = matchKey(r);
    const other = k ? champByKey.get(k) : undefined;
    if (other) pairs.push({ challenger: r, champion: other });
  }
  return pairs;
}

// --- the confidence sequence ----------------------------------------------------------------

/** rho^2 that makes the normal-mixture boundary tightest near `horizon` (Howard et al. 2021, approx.). */
export function mixtureRho2(horizon: number, alpha: number): number {
  const l = -2 * Math.log(alpha);
  return (l + Math.log(l + 1)) / horizon;
}

/**
 * Half-width, in units of sigma (per-day standard deviation), of the two-sided asymptotic
 * confidence sequence for a mean after t days: sqrt(2 (t rho^2 + 1) / (t^2 rho^2) ln(sqrt(t rho^2 + 1) / alpha)).
 */
export function csMargin(t: number, rho2: number, alpha: number): number {
  const a = t * rho2 + 1;
  return Math.sqrt(((2 * a) / (t * t * rho2)) * Math.log(Math.sqrt(a) / alpha));
}

/** One matched row's terms of a ratio estimator sum(numA)/sum(denA) - sum(numB)/sum(denB). */
export interface RatioTerms {
  numA: number;
  denA: number;
  numB: number;
  denB: number;
}

/**
 * Always-valid interval for a difference of two ratio estimators, from per-row terms grouped by
 * game day (`days[d]` = the rows of day d). Linearised contribution of a row:
 * y = (numA - pA denA)/mA - (numB - pB denB)/mB, with m = mean denominator per day. The per-day
 * variance is max(sum over days of (sum of the day's y)^2, sum over rows of y^2) / (D - 1): the
 * day-clustered sandwich, never below the independent-rows one (a design effect below 1 is
 * sampling noise in the variance with few days). Null with fewer than MIN_VERDICT_DAYS days or an
 * empty denominator on either side. `scale` multiplies the result (100 for percentage points).
 */
export function ratioDifferenceCs(
  days: ReadonlyArray<readonly RatioTerms[]>,
  o: { alpha: number; horizonDays: number; scale: number },
): DifferenceInterval | null {
  const D = days.length;
  if (D < MIN_VERDICT_DAYS) return null;
  let NA = 0;
  let DA = 0;
  let NB = 0;
  let DB = 0;
  for (const rows of days) {
    for (const r of rows) {
      NA += r.numA;
      DA += r.denA;
      NB += r.numB;
      DB += r.denB;
    }
  }
  if (DA === 0 || DB === 0) return null;
  const pA = NA / DA;
  const pB = NB / DB;
  const mA = DA / D;
  const mB = DB / D;
  let ssDays = 0;
  let ssRows = 0;
  for (const rows of days) {
    let dayY = 0;
    for (const r of rows) {
      const y = (r.numA - pA * r.denA) / mA - (r.numB - pB * r.denB) / mB;
      dayY += y;
      ssRows += y * y;
    }
    ssDays += dayY * dayY;
  }
  const sigma = Math.sqrt(Math.max(ssDays, ssRows) / (D - 1));
  const half = sigma * csMargin(D, mixtureRho2(o.horizonDays, o.alpha), o.alpha);
  const est = pA - pB;
  return {
    estimate: est * o.scale,
    lower: (est - half) * o.scale,
    upper: (est + half) * o.scale,
    halfWidth: half * o.scale,
    sigmaPerDay: sigma * o.scale,
  };
}

/**
 * Game days after today's D until the interval's half-width drops below |estimate|, if sigma and
 * the effect held: the smallest t >= D with sigma * margin(t) < |estimate|, minus D. Null when the
 * estimate is 0 or it would take more than MAX_PROJECTION_DAYS.
 */
export function daysToDecide(ci: DifferenceInterval, days: number, o: { alpha: number; horizonDays: number }): number | null {
  const target = Math.abs(ci.estimate);
  if (target === 0) return null;
  const rho2 = mixtureRho2(o.horizonDays, o.alpha);
  for (let t = days; t <= MAX_PROJECTION_DAYS; t++) {
    if (ci.sigmaPerDay * csMargin(t, rho2, o.alpha) < target) return t - days;
  }
  return null;
}

// --- the verdict ----------------------------------------------------------------------------

function isBet(r: VerdictRow): boolean {
  return r.recommendation === 'OVER' || r.recommendation === 'UNDER';
}

/**
 * The verdict on matched pairs (see the module comment for the rule and its sources).
 * Pure; never throws on empty input (NOT YET DECIDED with N = 0).
 */
export function decideVerdict(
  pairs: readonly MatchedPair[],
  ids: { challengerId: string; championId: string },
  options: VerdictOptions = {},
): Verdict {
  const alpha = options.alpha ?? VERDICT_ALPHA;
  const horizonDays = options.horizonDays ?? VERDICT_HORIZON_DAYS;
  const method = { alpha, horizonDays, minDays: MIN_VERDICT_DAYS };

  const byDay = new Map<string, MatchedPair[]>();
  for (const p of pairs) {
    const list = byDay.get(p.challenger.game_date);
    if (list) list.push(p);
    else byDay.set(p.challenger.game_date, [p]);
  }
  const dayStats = [...byDay.keys()].sort().map((date) => {
    const ps = byDay.get(date)!;
    const hr: RatioTerms[] = ps.map((p) => {
      const a = hitRateTerms(p.challenger.outcome);
      const b = hitRateTerms(p.champion.outcome);
      return { numA: a.win, denA: a.decided, numB: b.win, denB: b.decided };
    });
    // MAE only on rows both sides scored (the same player and game, so normally all of them)
    const mae: RatioTerms[] = ps
      .filter((p) => p.challenger.absolute_error != null && p.champion.absolute_error != null)
      .map((p) => ({ numA: p.challenger.absolute_error as number, denA: 1, numB: p.champion.absolute_error as number, denB: 1 }));
    return { hr, mae };
  });

  const all = {
    a: computeMetrics(pairs.map((p) => p.challenger)),
    b: computeMetrics(pairs.map((p) => p.champion)),
  };
  const maeRows = dayStats.flatMap((d) => d.mae);
  const scoredN = maeRows.length;
  const maeA = scoredN ? maeRows.reduce((s, r) => s + r.numA, 0) / scoredN : null;
  const maeB = scoredN ? maeRows.reduce((s, r) => s + r.numB, 0) / scoredN : null;

  const hrCi = ratioDifferenceCs(dayStats.map((d) => d.hr), { alpha, horizonDays, scale: 100 });
  const maeCi = ratioDifferenceCs(dayStats.map((d) => d.mae), { alpha, horizonDays, scale: 1 });

  const opposite = pairs.filter((p) => isBet(p.challenger) && isBet(p.champion) && p.challenger.recommendation !== p.champion.recommendation);
  const dA = computeMetrics(opposite.map((p) => p.challenger)).all;
  const dB = computeMetrics(opposite.map((p) => p.champion)).all;
  const disagreement = {
    n: opposite.length,
    challengerWins: dA.wins,
    championWins: dB.wins,
    decided: dA.n_decided,
    challengerHitRatePct: dA.hit_rate_pct,
  };

  const D = dayStats.length;
  let verdict: VerdictLabel = 'NOT YET DECIDED';
  let reason: string;
  if (D < MIN_VERDICT_DAYS) {
    reason = `${D} game day(s) of matched graded rows; a verdict needs at least ${MIN_VERDICT_DAYS} (bets within a day are correlated)`;
  } else if (!hrCi || !maeCi) {
    reason = 'no decided bets (or no scored rows) on one side';
  } else if (hrCi.lower > 0 && maeCi.lower <= 0) {
    verdict = 'CHALLENGER BETTER';
    reason = `hit-rate difference ${ppRange(hrCi)} lies above 0 and MAE is not worse beyond doubt`;
  } else if (hrCi.upper < 0) {
    verdict = 'CHAMPION BETTER';
    reason = `hit-rate difference ${ppRange(hrCi)} lies below 0`;
  } else if (maeCi.lower > 0 && hrCi.lower <= 0) {
    verdict = 'CHAMPION BETTER';
    reason = `challenger MAE worse by ${ptRange(maeCi)} (above 0) and its hit rate is not better beyond doubt`;
  } else if (hrCi.lower > 0) {
    reason = `hit rate better (${ppRange(hrCi)}) but MAE worse beyond doubt (${ptRange(maeCi)}): conflicting`;
  } else {
    reason = `hit-rate difference ${ppRange(hrCi)} includes 0`;
  }

  let toDecide: Verdict['toDecide'] = null;
  if (verdict === 'NOT YET DECIDED') {
    if (hrCi && hrCi.lower > 0) {
      toDecide = { moreBets: null, moreGameDays: null, why: 'conflicting figures (hit rate up, accuracy down): keep shadowing and look again' };
    } else if (!hrCi) {
      toDecide = { moreBets: null, moreGameDays: null, why: D < MIN_VERDICT_DAYS ? `wait for ${MIN_VERDICT_DAYS - D} more game day(s)` : 'no decided bets' };
    } else {
      const more = daysToDecide(hrCi, D, { alpha, horizonDays });
      const betsPerDay = all.a.all.n_decided / D;
      toDecide =
        more == null
          ? {
              moreBets: null,
              moreGameDays: null,
              why: hrCi.estimate === 0 ? 'no difference observed: no sample size decides a zero effect' : `more than ${MAX_PROJECTION_DAYS} game days at this effect size`,
            }
          : {
              moreBets: Math.ceil(more * betsPerDay),
              moreGameDays: more,
              why: `about ${Math.ceil(more * betsPerDay)} more graded bets (~${more} game days at ${Math.round(betsPerDay)} decided bets a day) if the current effect and spread hold`,
            };
    }
  }

  return {
    verdict,
    reason,
    challengerId: ids.challengerId,
    championId: ids.championId,
    matchedRows: pairs.length,
    gameDays: D,
    hitRate: {
      challenger: { wins: all.a.all.wins, n: all.a.all.n_decided, pct: all.a.all.hit_rate_pct },
      champion: { wins: all.b.all.wins, n: all.b.all.n_decided, pct: all.b.all.hit_rate_pct },
      diffPp: hrCi,
    },
    mae: { challenger: { n: scoredN, points: maeA }, champion: { n: scoredN, points: maeB }, diffPoints: maeCi },
    disagreement,
    toDecide,
    method,
  };
}

/**
 * The verdict straight from graded rows of both systems (any other system's rows are ignored):
 * matchGradedRows then decideVerdict. The entry point for compare, promote and the daily view.
 */
export function verdictFromRows(
  rows: readonly VerdictRow[],
  ids: { challengerId: string; championId: string },
  options: VerdictOptions = {},
): Verdict {
  return decideVerdict(matchGradedRows(rows, ids), ids, options);
}

// --- text -----------------------------------------------------------------------------------

const signed = (x: number, dp: number) => `${x >= 0 ? '+' : ''}${x.toFixed(dp)}`;

function ppRange(ci: DifferenceInterval): string {
  return `${signed(ci.estimate, 1)} pp [${signed(ci.lower, 1)}, ${signed(ci.upper, 1)}]`;
}

function ptRange(ci: DifferenceInterval): string {
  return `${signed(ci.estimate, 2)} [${signed(ci.lower, 2)}, ${signed(ci.upper, 2)}]`;
}

/** Plain-text lines: the verdict, every figure with its N, the method in one line. */
export function formatVerdict(v: Verdict): string[] {
  const pct = (p: number | null) => `${fmt(p)}%`;
  const level = `${Math.round((1 - v.method.alpha) * 100)}%`;
  const lines = [
    `VERDICT: ${v.verdict} (${v.reason})`,
    `  hit rate      ${v.challengerId} ${pct(v.hitRate.challenger.pct)} (N=${v.hitRate.challenger.n}) vs ${v.championId} ${pct(v.hitRate.champion.pct)} (N=${v.hitRate.champion.n}); ` +
      `difference ${v.hitRate.diffPp ? `${ppRange(v.hitRate.diffPp)} (${level} CS)` : 'no interval yet'}`,
    `  MAE points    ${fmt(v.mae.challenger.points, 3)} vs ${fmt(v.mae.champion.points, 3)} (N=${v.mae.challenger.n}); ` +
      `difference ${v.mae.diffPoints ? `${ptRange(v.mae.diffPoints)} (${level} CS)` : 'no interval yet'}`,
    `  disagreements ${v.disagreement.n} (opposite sides): ${v.challengerId} won ${v.disagreement.challengerWins} of ${v.disagreement.decided} decided (${pct(v.disagreement.challengerHitRatePct)})`,
    `  sample        ${v.matchedRows} matched rows over ${v.gameDays} game day(s)`,
  ];
  if (v.toDecide) {
    lines.push(`  to decide     ${v.toDecide.why}`);
  }
  lines.push(
    `  method        day-clustered asymptotic confidence sequence, valid under daily looks (alpha ${v.method.alpha}, tuned for ${v.method.horizonDays} days, >= ${v.method.minDays} days); docs/lifecycle.md`,
  );
  return lines;
}
