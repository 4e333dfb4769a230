/**
 * @module lifecycle/gates
 * The deployment gates a new model must pass before its registry entry is printed (original §8,
 * quick_retrain.py), as pure functions over metrics already computed by src/metrics. Plus the
 * train/eval overlap guard that runs before anything else (incident 10.7: training on the eval
 * games gave 87-93 % edge-3+ hit rates) and the player tiers used for the tier-bias gate.
 *
 * Every gate reports its name, its rule in words, the measured value and pass/fail. The edge-3+
 * hit-rate gate always shows HR all and N beside it (incident 10.8: edge-3+ survivorship).
 */
import {
  BREAKEVEN_HIT_RATE_PCT,
  absEdgeAtLeast,
  computeMetrics,
  fmt,
  type BetRecord,
  type GradedMetrics,
  type GradedRowForMetrics,
} from '../metrics/metrics.js';

export const GATE_LIMITS = {
  /** Edge-3+ hit rate must be at least this, percent. */
  minHitRateEdge3Pct: 60,
  /** Decided edge-3+ bets needed for that hit rate to mean anything (MIN_BETS_RELIABLE). */
  minDecidedEdge3: 50,
  /** |mean(predicted - line)| at most this, points (VEGAS_BIAS_LIMIT). */
  maxAbsPvlPoints: 1.5,
  /** A tier whose |mean(predicted - actual)| exceeds this is a critical bias, points. */
  maxAbsTierBiasPoints: 5,
  /** OVER and UNDER edge-3+ hit rates each at least breakeven, percent. */
  minDirectionalHitRatePct: BREAKEVEN_HIT_RATE_PCT,
  /**
   * "Too good to be true" (docs/lifecycle.md derives these): an edge-3+ hit rate at or above this
   * (with at least tooGoodMinDecided decided bets) needs the book to be off by ~0.85 outcome SD
   * (about 5 points) on every such bet; the original's leaked models showed 87-93 %.
   */
  tooGoodHitRateEdge3Pct: 80,
  tooGoodMinDecided: 20,
  /** HR over all bets at or above this, percent (an oracle of the true mean against a sharp book stays far below). */
  tooGoodHitRateAllPct: 70,
  /** MAE at or below this fraction of the baseline's: below the outcome-noise floor (honest retrains move MAE by a few %). */
  tooGoodMaeRatio: 0.85,
} as const;

/**
 * Hit rates are ratios times 100 (e.g. 0.7 * 100 = 70.00000000000001): a value this close to a
 * threshold counts as on it, so a boundary never flips on floating-point noise.
 */
const EPSILON = 1e-9;

export interface Gate {
  name: string;
  rule: string;
  value: string;
  pass: boolean;
}

// --- overlap guard --------------------------------------------------------------------------

// One home for the train/eval rule: src/lifecycle/windows.ts (re-exported for the gate callers).
export { trainEvalOverlap, type OverlapResult } from './windows.js';

// --- tiers ----------------------------------------------------------------------------------

export const TIERS = ['star', 'starter', 'role', 'bench'] as const;
export type Tier = (typeof TIERS)[number] | 'unknown';

/**
 * Tier by the PRE-GAME season average (tiering by actual points was a hindsight bug, Session 166):
 * star >= 25, starter 15-25, role 5-15, bench < 5; unknown when the average is missing.
 */
export function tierOf(pointsAvgSeason: number | null | undefined): Tier {
  if (pointsAvgSeason == null || !Number.isFinite(pointsAvgSeason)) return 'unknown';
  if (pointsAvgSeason >= 25) return 'star';
  if (pointsAvgSeason >= 15) return 'starter';
  if (pointsAvgSeason >= 5) return 'role';
  return 'bench';
}

export interface TierBias {
  tier: Tier;
  /** Rows whose player played (the bias denominator). */
  n_scored: number;
  bias_points: number | null;
  mae_points: number | null;
}

/** Bias (mean predicted - actual) per tier, in TIERS order then unknown; empty tiers left out. */
export function tierBiases(rows: ReadonlyArray<{ tier: Tier; row: GradedRowForMetrics }>): TierBias[] {
  const out: TierBias[] = [];
  for (const tier of [...TIERS, 'unknown'] as const) {
    const m = computeMetrics(rows.filter((r) => r.tier === tier).map((r) => r.row));
    if (m.n_rows === 0) continue;
    out.push({ tier, n_scored: m.n_scored, bias_points: m.bias_points, mae_points: m.mae_points });
  }
  return out;
}

// --- gates ----------------------------------------------------------------------------------

export interface GateInput {
  /** The candidate's metrics on the evaluation rows. */
  candidate: GradedMetrics;
  /** Edge-3+ bets only, split by direction (computeMetrics over the edge-3+ rows). */
  candidateEdge3: GradedMetrics;
  /** MAE to beat: the champion's on the same rows, or --baseline-mae. */
  baselineMae: number | null;
  baselineLabel: string;
  tiers: readonly TierBias[];
}

/** computeMetrics over the rows with |edge| >= 3: its over/under records are the directional HRs. */
export function edge3Metrics(rows: readonly GradedRowForMetrics[]): GradedMetrics {
  return computeMetrics(rows.filter((r) => absEdgeAtLeast(r.edge, 3)));
}

function hrN(rec: BetRecord): string {
  return `${fmt(rec.hit_rate_pct)}% (N=${rec.n_decided})`;
}

export function maeGate(mae: number | null, baseline: number | null, baselineLabel: string): Gate {
  return {
    name: 'MAE improvement',
    rule: `MAE < ${fmt(baseline, 3)} (${baselineLabel})`,
    value: fmt(mae, 3),
    pass: mae != null && baseline != null && mae < baseline,
  };
}

export function hitRateEdge3Gate(edge3: BetRecord, all: BetRecord): Gate {
  const hr = edge3.hit_rate_pct;
  return {
    name: 'Hit rate edge 3+',
    rule: `HR edge 3+ >= ${GATE_LIMITS.minHitRateEdge3Pct}%`,
    value: `${hrN(edge3)}; HR all ${hrN(all)}`,
    pass: hr != null && hr >= GATE_LIMITS.minHitRateEdge3Pct - EPSILON,
  };
}

export function sampleEdge3Gate(edge3: BetRecord): Gate {
  return {
    name: 'Sample edge 3+',
    rule: `decided edge-3+ bets >= ${GATE_LIMITS.minDecidedEdge3}`,
    value: String(edge3.n_decided),
    pass: edge3.n_decided >= GATE_LIMITS.minDecidedEdge3,
  };
}

export function pvlGate(meanPvl: number | null): Gate {
  return {
    name: 'Vegas bias (PVL)',
    rule: `|mean(pred - line)| <= ${GATE_LIMITS.maxAbsPvlPoints}`,
    value: fmt(meanPvl, 2),
    pass: meanPvl != null && Math.abs(meanPvl) <= GATE_LIMITS.maxAbsPvlPoints + EPSILON,
  };
}

export function tierBiasGate(tiers: readonly TierBias[]): Gate {
  const known = tiers.filter((t) => t.tier !== 'unknown');
  const critical = known.filter((t) => t.bias_points != null && Math.abs(t.bias_points) > GATE_LIMITS.maxAbsTierBiasPoints + EPSILON);
  return {
    name: 'Tier bias',
    rule: `no tier with |bias| > ${GATE_LIMITS.maxAbsTierBiasPoints}`,
    value: known.map((t) => `${t.tier} ${t.bias_points != null && t.bias_points >= 0 ? '+' : ''}${fmt(t.bias_points, 2)}`).join(', ') || 'no rows',
    pass: critical.length === 0,
  };
}

export function directionalGate(edge3: GradedMetrics): Gate {
  const ok = (rec: BetRecord) => rec.n_decided === 0 || (rec.hit_rate_pct as number) >= GATE_LIMITS.minDirectionalHitRatePct - EPSILON;
  return {
    name: 'Directional balance',
    rule: `OVER and UNDER edge-3+ HR each >= ${GATE_LIMITS.minDirectionalHitRatePct}% (a side with no bets passes)`,
    value: `OVER ${hrN(edge3.over)}, UNDER ${hrN(edge3.under)}`,
    pass: ok(edge3.over) && ok(edge3.under),
  };
}

/**
 * Fails results beyond what a points model can honestly reach against a book (incident 10.7:
 * models trained on the evaluation games showed 87-93 % edge-3+ hit rates and passed every
 * other gate). Any one of: edge-3+ HR >= tooGoodHitRateEdge3Pct (N >= tooGoodMinDecided),
 * HR all >= tooGoodHitRateAllPct (N >= tooGoodMinDecided), MAE <= tooGoodMaeRatio x baseline.
 */
export function tooGoodGate(candidate: GradedMetrics, baselineMae: number | null): Gate {
  const L = GATE_LIMITS;
  const e3 = candidate.edge_3plus;
  const all = candidate.all;
  const reasons: string[] = [];
  if (e3.n_decided >= L.tooGoodMinDecided && (e3.hit_rate_pct as number) >= L.tooGoodHitRateEdge3Pct - EPSILON) reasons.push(`HR edge 3+ ${hrN(e3)}`);
  if (all.n_decided >= L.tooGoodMinDecided && (all.hit_rate_pct as number) >= L.tooGoodHitRateAllPct - EPSILON) reasons.push(`HR all ${hrN(all)}`);
  const ratio = candidate.mae_points != null && baselineMae != null && baselineMae > 0 ? candidate.mae_points / baselineMae : null;
  if (ratio != null && ratio <= L.tooGoodMaeRatio + EPSILON) reasons.push(`MAE ${fmt(ratio * 100, 0)}% of baseline`);
  return {
    name: 'Too good to be true',
    rule: `HR edge 3+ < ${L.tooGoodHitRateEdge3Pct}%, HR all < ${L.tooGoodHitRateAllPct}%, MAE > ${L.tooGoodMaeRatio * 100}% of baseline (leak check)`,
    value: reasons.length > 0 ? `LEAK? ${reasons.join('; ')}` : `HR 3+ ${fmt(e3.hit_rate_pct)}%, HR all ${fmt(all.hit_rate_pct)}%, MAE ratio ${ratio == null ? '-' : fmt(ratio, 2)}`,
    pass: reasons.length === 0,
  };
}

/** The original's six gates in its order, then the too-good-to-be-true gate. */
export function evaluateGates(input: GateInput): Gate[] {
  return [
    maeGate(input.candidate.mae_points, input.baselineMae, input.baselineLabel),
    hitRateEdge3Gate(input.candidate.edge_3plus, input.candidate.all),
    sampleEdge3Gate(input.candidate.edge_3plus),
    pvlGate(input.candidate.mean_pvl_points),
    tierBiasGate(input.tiers),
    directionalGate(input.candidateEdge3),
    tooGoodGate(input.candidate, input.baselineMae),
  ];
}

export function allPass(gates: readonly Gate[]): boolean {
  return gates.every((g) => g.pass);
}
