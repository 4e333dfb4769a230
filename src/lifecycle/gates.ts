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

/** All six gates, in the original's order. */
export function evaluateGates(input: GateInput): Gate[] {
  return [
    maeGate(input.candidate.mae_points, input.baselineMae, input.baselineLabel),
    hitRateEdge3Gate(input.candidate.edge_3plus, input.candidate.all),
    sampleEdge3Gate(input.candidate.edge_3plus),
    pvlGate(input.candidate.mean_pvl_points),
    tierBiasGate(input.tiers),
    directionalGate(input.candidateEdge3),
  ];
}

export function allPass(gates: readonly Gate[]): boolean {
  return gates.every((g) => g.pass);
}
