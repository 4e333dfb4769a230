/**
 * @module metrics
 * The one place that turns rows into numbers (incident 10.19: three hit-rate denominators and a
 * 0-1 / 0-100 confidence mix-up). Grading summaries, signals, picks, compare and every report
 * call these functions; nothing else computes a hit rate, an MAE or a PVL.
 *
 * Definitions (units in the names):
 *   bet            OVER/UNDER row with a real book line; its outcome is WIN, LOSS, PUSH or VOID
 *   hit_rate_pct   wins / (wins + losses) * 100; pushes and voids excluded; null with no decided bet
 *   mae_points     mean |predicted - actual| over rows whose player played (errors not null)
 *   bias_points    mean (predicted - actual) over the same rows
 *   pvl_points     mean (predicted - line) over rows with a real book line ("Vegas bias")
 *   edge           predicted - line (signed); "edge 3+" = |edge| >= 3
 *   confidence     always `confidence_pct`, 0-100
 */
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';

/** Hit rate needed to break even at -110 odds. */
export const BREAKEVEN_HIT_RATE_PCT = 52.4;

/**
 * Tolerance for edge thresholds: 24.3 - 21.3 is 2.9999999999999964 in floating point, and a
 * prediction exactly 3 points off the line must count as "edge 3+".
 */
const EDGE_EPSILON = 1e-9;

/** |edge| >= threshold, robust to floating-point noise; false for a null edge. */
export function absEdgeAtLeast(edge: number | null | undefined, threshold: number): boolean {
  return edge != null && Math.abs(edge) >= threshold - EDGE_EPSILON;
}

/**
 * A row's line came from a real sportsbook. The worker stores rows without one as NO_LINE with a
 * null line; `has_prop_line` is checked as well so a line of any other origin never counts.
 * No magic-number detection (incident 10.1): provenance decides, not the value.
 */
export function isRealBookLine(row: Pick<PredictionRow, 'has_prop_line' | 'line_value'>): boolean {
  return row.has_prop_line === true && row.line_value != null;
}

/**
 * THE edge formula: predicted points minus the book line, in points (signed: + = OVER side);
 * null without a line. Everything that needs an edge (the worker's rows, grading, picks, slate
 * metrics) calls this or edgeOf.
 */
export function edgePoints(predictedPoints: number, line: number | null | undefined): number | null {
  return line == null ? null : predictedPoints - line;
}

/** edgePoints for a row with a real book line (isRealBookLine), else null. */
export function edgeOf(row: Pick<PredictionRow, 'has_prop_line' | 'line_value' | 'predicted_points'>): number | null {
  return isRealBookLine(row) ? edgePoints(row.predicted_points, row.line_value) : null;
}

/** Percentage with a null for an empty denominator. */
export function pct(part: number, whole: number): number | null {
  return whole > 0 ? (part / whole) * 100 : null;
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Win/loss record of a set of bets. */
export interface BetRecord {
  /** Bets: WIN + LOSS + PUSH + VOID. */
  n_bets: number;
  /** Decided bets: WIN + LOSS (the hit-rate denominator). */
  n_decided: number;
  wins: number;
  losses: number;
  pushes: number;
  voids: number;
  hit_rate_pct: number | null;
}

/** The graded-row fields metrics read (a PredictionAccuracyRow has them all). */
export type GradedRowForMetrics = Pick<
  PredictionAccuracyRow,
  'outcome' | 'recommendation' | 'edge' | 'absolute_error' | 'signed_error' | 'within_3_points' | 'within_5_points'
>;

export interface GradedMetrics {
  /** Every row given (bets, NO_BET and UNGRADED rows). */
  n_rows: number;
  /** All bets. */
  all: BetRecord;
  /** Bets with |edge| >= 3 and >= 5. */
  edge_3plus: BetRecord;
  edge_5plus: BetRecord;
  /** Bets by direction. */
  over: BetRecord;
  under: BetRecord;
  /** Rows whose player played and had known points (the error denominators). */
  n_scored: number;
  mae_points: number | null;
  bias_points: number | null;
  within_3_pct: number | null;
  within_5_pct: number | null;
  /** Rows with a real book line (the PVL / edge denominators). */
  n_with_line: number;
  mean_pvl_points: number | null;
  mean_abs_edge_points: number | null;
  n_ungraded: number;
  n_no_bet: number;
}

export function emptyBetRecord(): BetRecord {
  return { n_bets: 0, n_decided: 0, wins: 0, losses: 0, pushes: 0, voids: 0, hit_rate_pct: null };
}

/**
 * One graded row's contribution to a hit rate: decided = 1 for WIN or LOSS (the denominator),
 * win = 1 for WIN. Pushes, voids and non-bets contribute 0 to both (the definitions above).
 */
export function hitRateTerms(outcome: PredictionAccuracyRow['outcome']): { win: 0 | 1; decided: 0 | 1 } {
  return outcome === 'WIN' ? { win: 1, decided: 1 } : outcome === 'LOSS' ? { win: 0, decided: 1 } : { win: 0, decided: 0 };
}

function addOutcome(rec: BetRecord, outcome: PredictionAccuracyRow['outcome']): void {
  if (outcome === 'WIN') rec.wins++;
  else if (outcome === 'LOSS') rec.losses++;
  else if (outcome === 'PUSH') rec.pushes++;
  else if (outcome === 'VOID') rec.voids++;
  else return;
  rec.n_bets++;
}

function finish(rec: BetRecord): BetRecord {
  rec.n_decided = rec.wins + rec.losses;
  rec.hit_rate_pct = pct(rec.wins, rec.n_decided);
  return rec;
}

const BET_OUTCOMES = new Set(['WIN', 'LOSS', 'PUSH', 'VOID']);

/** Everything a report needs from graded rows, computed in one pass. */
export function computeMetrics(rows: readonly GradedRowForMetrics[]): GradedMetrics {
  const all = emptyBetRecord();
  const edge3 = emptyBetRecord();
  const edge5 = emptyBetRecord();
  const over = emptyBetRecord();
  const under = emptyBetRecord();
  const absErrors: number[] = [];
  const signedErrors: number[] = [];
  let within3 = 0;
  let within5 = 0;
  const edges: number[] = [];
  const absEdges: number[] = [];
  let ungraded = 0;
  let noBet = 0;

  for (const r of rows) {
    if (r.outcome === 'UNGRADED') ungraded++;
    if (r.outcome === 'NO_BET') noBet++;
    if (BET_OUTCOMES.has(r.outcome)) {
      addOutcome(all, r.outcome);
      if (absEdgeAtLeast(r.edge, 3)) addOutcome(edge3, r.outcome);
      if (absEdgeAtLeast(r.edge, 5)) addOutcome(edge5, r.outcome);
      if (r.recommendation === 'OVER') addOutcome(over, r.outcome);
      if (r.recommendation === 'UNDER') addOutcome(under, r.outcome);
    }
    if (r.absolute_error != null && r.signed_error != null) {
      absErrors.push(r.absolute_error);
      signedErrors.push(r.signed_error);
      if (r.within_3_points) within3++;
      if (r.within_5_points) within5++;
    }
    if (r.edge != null) {
      edges.push(r.edge);
      absEdges.push(Math.abs(r.edge));
    }
  }

  return {
    n_rows: rows.length,
    all: finish(all),
    edge_3plus: finish(edge3),
    edge_5plus: finish(edge5),
    over: finish(over),
    under: finish(under),
    n_scored: absErrors.length,
    mae_points: mean(absErrors),
    bias_points: mean(signedErrors),
    within_3_pct: pct(within3, absErrors.length),
    within_5_pct: pct(within5, absErrors.length),
    n_with_line: edges.length,
    mean_pvl_points: mean(edges),
    mean_abs_edge_points: mean(absEdges),
    n_ungraded: ungraded,
    n_no_bet: noBet,
  };
}

/** The prediction fields slate metrics read. */
export type PredictionForMetrics = Pick<
  PredictionRow,
  'recommendation' | 'has_prop_line' | 'line_value' | 'predicted_points' | 'confidence_pct'
>;

/** Shape of one model's slate before any game is played (signals and alerts read this). */
export interface SlateMetrics {
  /** Rows with a real book line; only these count. */
  n_with_line: number;
  over_count: number;
  under_count: number;
  pass_count: number;
  /** OVER + UNDER rows: the bets, and the denominator of the shares below. */
  n_bets: number;
  /**
   * OVER / UNDER share of the bets (OVER + UNDER), 0-100; 0 when there is no bet. PASS rows are
   * not in the denominator: the original counted them, so a model passing on most of a sharp
   * slate looked "UNDER-heavy" whatever it bet (every demo system was RED every day).
   */
  pct_over: number;
  pct_under: number;
  edge_3plus_count: number;
  edge_5plus_count: number;
  avg_confidence_pct: number | null;
  mean_abs_edge_points: number | null;
  mean_pvl_points: number | null;
}

export function computeSlateMetrics(rows: readonly PredictionForMetrics[]): SlateMetrics {
  const withLine = rows.filter(isRealBookLine);
  const edges = withLine.map((r) => edgeOf(r) as number);
  const over = withLine.filter((r) => r.recommendation === 'OVER').length;
  const under = withLine.filter((r) => r.recommendation === 'UNDER').length;
  return {
    n_with_line: withLine.length,
    over_count: over,
    under_count: under,
    pass_count: withLine.filter((r) => r.recommendation === 'PASS').length,
    n_bets: over + under,
    pct_over: pct(over, over + under) ?? 0,
    pct_under: pct(under, over + under) ?? 0,
    edge_3plus_count: edges.filter((e) => absEdgeAtLeast(e, 3)).length,
    edge_5plus_count: edges.filter((e) => absEdgeAtLeast(e, 5)).length,
    avg_confidence_pct: mean(withLine.map((r) => r.confidence_pct)),
    mean_abs_edge_points: mean(edges.map(Math.abs)),
    mean_pvl_points: mean(edges),
  };
}

/** Champion first (by id), then the others alphabetically: the order every table prints in. */
export function championFirst(systemIds: Iterable<string>, championId: string): string[] {
  const ids = [...new Set(systemIds)];
  return ids.sort((a, b) => (a === championId ? -1 : b === championId ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

/** Format helpers for tables: fixed decimals, '-' for null. */
export function fmt(value: number | null | undefined, decimals = 1): string {
  return value == null || Number.isNaN(value) ? '-' : value.toFixed(decimals);
}

/**
 * The price every bet is assumed to be taken at, American odds. Graded rows carry no price (the
 * request has the line, not the odds), so units use the standard -110 that BREAKEVEN_HIT_RATE_PCT
 * is derived from: 110 / (110 + 100) = 52.38 %.
 */
export const STANDARD_PRICE_AMERICAN = -110;

/**
 * Units won by a bet record staking 1 unit per bet at `americanOdds` (default -110): a win pays
 * 100/110 = 0.909 units at -110 (odds/100 at positive odds), a loss costs 1, pushes and voids 0.
 * Throws a RangeError for odds in (-100, 100), which are not American odds.
 */
export function unitsWon(rec: Pick<BetRecord, 'wins' | 'losses'>, americanOdds: number = STANDARD_PRICE_AMERICAN): number {
  if (!(americanOdds <= -100 || americanOdds >= 100)) throw new RangeError(`not American odds: ${americanOdds}`);
  const winPays = americanOdds < 0 ? 100 / -americanOdds : americanOdds / 100;
  return rec.wins * winPays - rec.losses;
}
