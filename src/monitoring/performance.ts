/**
 * @module monitoring/performance
 * One `model_performance_daily` row per system for one game date, from graded rows through the
 * one metrics module (computeMetrics, unitsWon), the date's coverage, yesterday's rows (state
 * carry-in) and each model's training end. Pure: the monitor job does the reading and writing.
 *
 * Windows use monitoring/windows.ts (N days ending on the date, inclusive); rolling hit rates
 * are at |edge| >= 3 (metrics.absEdgeAtLeast), N = decided bets (wins + losses). The state rule
 * is monitoring/state.ts.
 */
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import type { ModelPerformanceDailyRow } from '../storage/tables/model-performance-daily.js';
import { computeMetrics, unitsWon } from '../metrics/metrics.js';
import { daysBetween, inWindow } from './windows.js';
import { STATE_RULE, nextCounters, nextState } from './state.js';
import type { CoverageRow } from './coverage.js';

export const ROLLING_WINDOWS_DAYS = [7, 14, 30] as const;

export interface PerformanceInput {
  gameDate: string;
  championSystemId: string;
  /** Graded rows covering at least the 30 days ending on gameDate (other dates are ignored). */
  graded: readonly PredictionAccuracyRow[];
  /** Each system's latest row before gameDate (state carry-in); absent = first monitored day. */
  previous: readonly ModelPerformanceDailyRow[];
  /** computeCoverage for gameDate: decides which systems get a row (with any graded on the date). */
  coverage: readonly CoverageRow[];
  /** Last training date per system_id, when known (registry train_end, lineage). */
  trainingEndBySystem?: Readonly<Record<string, string>>;
  calculatedAt: string;
}

/** One row per system in coverage or graded on the date, champion first (coverage order, then the rest). */
export function computePerformanceDaily(input: PerformanceInput): ModelPerformanceDailyRow[] {
  const { gameDate } = input;
  const bySystem = new Map<string, PredictionAccuracyRow[]>();
  for (const r of input.graded) {
    if (!inWindow(r.game_date, gameDate, 30)) continue;
    const list = bySystem.get(r.system_id) ?? [];
    list.push(r);
    bySystem.set(r.system_id, list);
  }
  const coverage = new Map(input.coverage.map((c) => [c.system_id, c]));
  const previous = new Map(input.previous.map((p) => [p.system_id, p]));
  const ids = [...input.coverage.map((c) => c.system_id)];
  for (const [id, rows] of bySystem) if (!ids.includes(id) && rows.some((r) => r.game_date === gameDate)) ids.push(id);
  const championRows = coverage.get(input.championSystemId)?.predicted_rows ?? 0;

  return ids.map((systemId): ModelPerformanceDailyRow => {
    const rows = bySystem.get(systemId) ?? [];
    const today = rows.filter((r) => r.game_date === gameDate);
    const m = computeMetrics(today);
    const rolling = Object.fromEntries(
      ROLLING_WINDOWS_DAYS.map((days) => [days, computeMetrics(rows.filter((r) => inWindow(r.game_date, gameDate, days))).edge_3plus]),
    ) as Record<(typeof ROLLING_WINDOWS_DAYS)[number], ReturnType<typeof computeMetrics>['edge_3plus']>;
    const basis = rolling[STATE_RULE.basisWindowDays];
    const prev = previous.get(systemId);
    const counters = nextCounters(prev, basis.hit_rate_pct, basis.n_decided);
    const step = nextState(prev, { hitRatePct: basis.hit_rate_pct, nDecided: basis.n_decided, counters });
    const cov = coverage.get(systemId);
    const trainEnd = input.trainingEndBySystem?.[systemId] ?? null;
    const role = today[0]?.model_role ?? rows.at(-1)?.model_role ?? prev?.model_role ?? (systemId === input.championSystemId ? 'champion' : 'challenger');
    return {
      game_date: gameDate,
      system_id: systemId,
      model_role: role,
      bets: m.all.n_bets,
      wins: m.all.wins,
      losses: m.all.losses,
      pushes: m.all.pushes,
      voids: m.all.voids,
      hit_rate_pct: m.all.hit_rate_pct,
      mae_points: m.mae_points,
      pvl_points: m.mean_pvl_points,
      units_won: unitsWon(m.all),
      edge3_wins: m.edge_3plus.wins,
      edge3_losses: m.edge_3plus.losses,
      rolling_7d_wins: rolling[7].wins,
      rolling_7d_n: rolling[7].n_decided,
      rolling_7d_hit_rate_pct: rolling[7].hit_rate_pct,
      rolling_14d_wins: rolling[14].wins,
      rolling_14d_n: rolling[14].n_decided,
      rolling_14d_hit_rate_pct: rolling[14].hit_rate_pct,
      rolling_30d_wins: rolling[30].wins,
      rolling_30d_n: rolling[30].n_decided,
      rolling_30d_hit_rate_pct: rolling[30].hit_rate_pct,
      ...step,
      ...counters,
      predicted_rows: cov?.predicted_rows ?? 0,
      champion_rows: cov?.champion_rows ?? championRows,
      failed_requests: cov?.failed_requests ?? 0,
      coverage_status: cov?.status ?? 'UNEXPECTED',
      training_end_date: trainEnd,
      days_since_training: trainEnd ? daysBetween(trainEnd, gameDate) : null,
      calculated_at: input.calculatedAt,
    };
  });
}
