import { describe, expect, it } from 'vitest';
import { computeMetrics, type GradedRowForMetrics } from '../metrics/metrics.js';
import {
  GATE_LIMITS,
  allPass,
  directionalGate,
  edge3Metrics,
  evaluateGates,
  tooGoodGate,
  hitRateEdge3Gate,
  maeGate,
  pvlGate,
  sampleEdge3Gate,
  tierBiasGate,
  tierBiases,
  tierOf,
  trainEvalOverlap,
  type TierBias,
} from './gates.js';

/** `n` graded bets with one outcome, direction and edge; error = signed error of each row. */
function bets(n: number, outcome: 'WIN' | 'LOSS' | 'PUSH', recommendation: 'OVER' | 'UNDER', edge: number, error = 2): GradedRowForMetrics[] {
  return Array.from({ length: n }, () => ({
    outcome,
    recommendation,
    edge: recommendation === 'OVER' ? Math.abs(edge) : -Math.abs(edge),
    absolute_error: Math.abs(error),
    signed_error: error,
    within_3_points: Math.abs(error) <= 3,
    within_5_points: Math.abs(error) <= 5,
  }));
}

describe('trainEvalOverlap (incident 10.7)', () => {
  it('passes when training ends the day before evaluation starts', () => {
    expect(trainEvalOverlap({ trainStart: '2025-11-02', trainEnd: '2026-01-31', evalStart: '2026-02-01', evalEnd: '2026-02-08' }).overlapDays).toBe(0);
  });
  it('blocks a one-day overlap at the boundary', () => {
    const r = trainEvalOverlap({ trainStart: '2025-11-02', trainEnd: '2026-02-01', evalStart: '2026-02-01', evalEnd: '2026-02-08' });
    expect(r).toMatchObject({ overlapDays: 1, overlapFrom: '2026-02-01', overlapTo: '2026-02-01' });
  });
  it("blocks the guide's own example (eval inside training) and names the fix", () => {
    const r = trainEvalOverlap({ trainStart: '2025-11-02', trainEnd: '2026-02-15', evalStart: '2026-02-01', evalEnd: '2026-02-08' });
    expect(r.overlapDays).toBe(8);
    expect(r.fix).toContain('--train-end 2026-01-31');
    expect(r.fix).toContain('--eval-start 2026-02-16');
    expect(r).toMatchObject({ latestTrainEnd: '2026-01-31', earliestEvalStart: '2026-02-16' });
  });
});

describe('tierOf (pre-game season average)', () => {
  it.each([
    [25, 'star'],
    [24.99, 'starter'],
    [15, 'starter'],
    [14.99, 'role'],
    [5, 'role'],
    [4.99, 'bench'],
    [0, 'bench'],
    [null, 'unknown'],
    [Number.NaN, 'unknown'],
  ] as const)('%s -> %s', (avg, tier) => {
    expect(tierOf(avg)).toBe(tier);
  });
});

describe('gates at their boundaries', () => {
  it('MAE must be strictly below the baseline', () => {
    expect(maeGate(4.5, 4.5, 'x').pass).toBe(false);
    expect(maeGate(4.499, 4.5, 'x').pass).toBe(true);
    expect(maeGate(4.0, null, 'x').pass).toBe(false);
    expect(maeGate(null, 4.5, 'x').pass).toBe(false);
  });

  it('edge-3+ hit rate passes at exactly 60 % and shows HR all and N beside it', () => {
    const at = computeMetrics([...bets(30, 'WIN', 'OVER', 3), ...bets(20, 'LOSS', 'OVER', 3), ...bets(10, 'LOSS', 'UNDER', 1)]);
    const gate = hitRateEdge3Gate(at.edge_3plus, at.all);
    expect(at.edge_3plus.hit_rate_pct).toBeCloseTo(60, 9);
    expect(gate.pass).toBe(true);
    expect(gate.value).toBe('60.0% (N=50); HR all 50.0% (N=60)');
    // one win fewer is below the line
    const below = computeMetrics([...bets(29, 'WIN', 'OVER', 3), ...bets(21, 'LOSS', 'OVER', 3)]);
    expect(hitRateEdge3Gate(below.edge_3plus, below.all).pass).toBe(false);
    expect(hitRateEdge3Gate(computeMetrics([]).edge_3plus, computeMetrics([]).all).pass).toBe(false);
  });

  it('edge-3+ sample needs 50 decided bets (pushes do not count)', () => {
    expect(sampleEdge3Gate(computeMetrics(bets(50, 'WIN', 'OVER', 3)).edge_3plus).pass).toBe(true);
    const m = computeMetrics([...bets(49, 'WIN', 'OVER', 3), ...bets(5, 'PUSH', 'OVER', 3)]);
    expect(sampleEdge3Gate(m.edge_3plus)).toMatchObject({ value: '49', pass: false });
  });

  it('PVL within ±1.5 inclusive', () => {
    expect(pvlGate(1.5).pass).toBe(true);
    expect(pvlGate(-1.5).pass).toBe(true);
    expect(pvlGate(1.51).pass).toBe(false);
    expect(pvlGate(-1.51).pass).toBe(false);
    expect(pvlGate(null).pass).toBe(false);
  });

  it('tier bias fails only above 5 points, either sign; unknown tier is not gated', () => {
    const t = (tier: TierBias['tier'], bias: number): TierBias => ({ tier, n_scored: 10, bias_points: bias, mae_points: 5 });
    expect(tierBiasGate([t('star', 5), t('bench', -5)]).pass).toBe(true);
    expect(tierBiasGate([t('star', 5.01)]).pass).toBe(false);
    expect(tierBiasGate([t('role', -5.01)]).pass).toBe(false);
    expect(tierBiasGate([t('unknown', 9)]).pass).toBe(true);
  });

  it('directional balance: each side >= 52.4 %, a side without bets passes', () => {
    const ok = edge3Metrics([...bets(524, 'WIN', 'OVER', 3), ...bets(476, 'LOSS', 'OVER', 3)]);
    expect(directionalGate(ok).pass).toBe(true);
    const low = edge3Metrics([...bets(523, 'WIN', 'OVER', 3), ...bets(477, 'LOSS', 'OVER', 3), ...bets(10, 'WIN', 'UNDER', 4)]);
    expect(directionalGate(low).pass).toBe(false);
    // UNDER bets below edge 3 are not part of the directional gate
    const onlyOver = edge3Metrics([...bets(6, 'WIN', 'OVER', 3), ...bets(4, 'LOSS', 'OVER', 3), ...bets(10, 'LOSS', 'UNDER', 2)]);
    expect(onlyOver.under.n_decided).toBe(0);
    expect(directionalGate(onlyOver)).toMatchObject({ pass: true, value: 'OVER 60.0% (N=10), UNDER -% (N=0)' });
  });

  it('tierBiases groups by tier with computeMetrics bias', () => {
    const rows = [
      ...bets(3, 'WIN', 'OVER', 3, 6).map((row) => ({ tier: 'star' as const, row })),
      ...bets(2, 'LOSS', 'UNDER', 3, -1).map((row) => ({ tier: 'bench' as const, row })),
    ];
    expect(tierBiases(rows)).toEqual([
      { tier: 'star', n_scored: 3, bias_points: 6, mae_points: 6 },
      { tier: 'bench', n_scored: 2, bias_points: -1, mae_points: 1 },
    ]);
  });

  it('evaluateGates: the six original gates in order, then too-good-to-be-true; allPass only when every one passes', () => {
    const rows = [...bets(40, 'WIN', 'OVER', 3, 1), ...bets(20, 'LOSS', 'UNDER', 3, -1)];
    const candidate = computeMetrics(rows);
    const input = {
      candidate,
      candidateEdge3: edge3Metrics(rows),
      baselineMae: 1.1, // MAE 1 beats it, and is not below 85 % of it (too good)
      baselineLabel: 'champion',
      tiers: tierBiases(rows.map((row) => ({ tier: 'starter' as const, row }))),
    };
    const gates = evaluateGates(input);
    expect(gates.map((g) => g.name)).toEqual(['MAE improvement', 'Hit rate edge 3+', 'Sample edge 3+', 'Vegas bias (PVL)', 'Tier bias', 'Directional balance', 'Too good to be true']);
    // PVL is +1 (40 OVER at +3, 20 UNDER at -3), UNDER side 0 % -> directional fails
    expect(gates.filter((g) => !g.pass).map((g) => g.name)).toEqual(['Directional balance']);
    expect(allPass(gates)).toBe(false);
    expect(GATE_LIMITS.minDirectionalHitRatePct).toBe(52.4);
  });
});

describe('too good to be true (incident 10.7: leaked models at 87-93 % edge-3+)', () => {
  const metrics = (e3Wins: number, e3Losses: number, otherWins: number, otherLosses: number, err = 5) =>
    computeMetrics([
      ...bets(e3Wins, 'WIN', 'OVER', 3.5, err),
      ...bets(e3Losses, 'LOSS', 'OVER', 3.5, err),
      ...bets(otherWins, 'WIN', 'OVER', 1.5, err),
      ...bets(otherLosses, 'LOSS', 'OVER', 1.5, err),
    ]);

  it('edge-3+ HR: 79 % passes, 80 % fails (N >= 20); below 20 decided bets it is not judged', () => {
    expect(tooGoodGate(metrics(79, 21, 100, 200), 5).pass).toBe(true);
    const g = tooGoodGate(metrics(80, 20, 100, 200), 5);
    expect(g.pass).toBe(false);
    expect(g.value).toContain('HR edge 3+ 80.0% (N=100)');
    expect(tooGoodGate(metrics(19, 0, 100, 200), 5).pass).toBe(true);
    expect(tooGoodGate(metrics(20, 0, 100, 200), 5).pass).toBe(false);
  });

  it('HR all: 69 % passes, 70 % fails', () => {
    expect(tooGoodGate(metrics(10, 10, 59, 21), 5).pass).toBe(true); // 69/100
    expect(tooGoodGate(metrics(10, 10, 60, 20), 5).pass).toBe(false); // 70/100
  });

  it('MAE: 86 % of the baseline passes, 85 % fails', () => {
    expect(tooGoodGate(metrics(10, 10, 40, 40, 4.3), 5).pass).toBe(true);
    const g = tooGoodGate(metrics(10, 10, 40, 40, 4.25), 5);
    expect(g.pass).toBe(false);
    expect(g.value).toContain('MAE 85% of baseline');
  });
});
