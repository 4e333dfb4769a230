/**
 * @module signals/signals
 * Daily signals: per game date and system_id, how skewed and how high-edge a model's slate is,
 * turned into a traffic light. Every system present (and every expected system, even with zero
 * rows) gets exactly one row, so a thinly covered challenger shows up as INSUFFICIENT_DATA
 * instead of disappearing (original §12.18, incident 10.9).
 *
 * Rules (first match wins; percentages 0-100; only rows with a real book line count). The skew
 * is the OVER share of the BETS (OVER + UNDER, computeSlateMetrics), so a balanced slate sits at
 * 50 %. The original divided by every row including PASS; with most of a sharp slate passed, any
 * model looked "UNDER-heavy" and every demo system was RED every day. Its thresholds (25/40/45 %
 * of all rows) were re-centred on the bets-only share, symmetric around 50 %:
 *   skew    pct_over < 30 UNDER_HEAVY; pct_over > 70 OVER_HEAVY; else BALANCED
 *   volume  high_edge (|edge| >= 5) < 3 LOW; > 8 HIGH; else NORMAL
 *   signal  slate <= 4 games RED; pct_over < 25 or > 75 RED (one-sided);
 *           high_edge < 3 YELLOW; pct_over < 35 or > 65 YELLOW; else GREEN
 * The light-slate and one-sided rules come from the original platform's own analysis (§4); its
 * historical hit rates were measured there, never here, so explanations name the rule only.
 */
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';
import type { DailySignalRow } from '../storage/tables/daily-prediction-signals.js';
import { championFirst, computeSlateMetrics, fmt } from '../metrics/metrics.js';
import { CHAMPION_SYSTEM_ID } from '../../config/registry.js';

export const SIGNAL_THRESHOLDS = {
  underHeavyBelowPctOver: 30,
  overHeavyAbovePctOver: 70,
  lowVolumeBelowHighEdge: 3,
  highVolumeAboveHighEdge: 8,
  lightSlateMaxGames: 4,
  redBelowPctOver: 25,
  redAbovePctOver: 75,
  yellowBelowHighEdge: 3,
  yellowBelowPctOver: 35,
  yellowAbovePctOver: 65,
  defaultMinRows: 10,
  /** Fewer bets (OVER + UNDER) than this: the skew share means nothing, INSUFFICIENT_DATA. */
  minBets: 10,
} as const;

const T = SIGNAL_THRESHOLDS;

/** Where the light-slate and one-sided rules come from (printed instead of numbers never measured here). */
const RULE_SOURCE = "rule from the original platform's slate analysis; its hit rates were not measured here";

export type SkewCategory = 'UNDER_HEAVY' | 'OVER_HEAVY' | 'BALANCED';
export type VolumeCategory = 'LOW' | 'NORMAL' | 'HIGH';

/** Skew of a slate from the OVER share of its bets (0-100). */
export function skewCategory(pctOver: number): SkewCategory {
  if (pctOver < T.underHeavyBelowPctOver) return 'UNDER_HEAVY';
  if (pctOver > T.overHeavyAbovePctOver) return 'OVER_HEAVY';
  return 'BALANCED';
}

/** Volume of a slate from its count of |edge| >= 5 rows. */
export function volumeCategory(highEdgePicks: number): VolumeCategory {
  if (highEdgePicks < T.lowVolumeBelowHighEdge) return 'LOW';
  if (highEdgePicks > T.highVolumeAboveHighEdge) return 'HIGH';
  return 'NORMAL';
}

/**
 * The traffic light and an explanation naming the rule that matched and its numbers.
 * `pctOver` is the OVER share of the bets (OVER + UNDER), 0-100.
 */
export function dailySignal(input: { slateGames: number; pctOver: number; highEdgePicks: number }): {
  signal: 'GREEN' | 'YELLOW' | 'RED';
  explanation: string;
} {
  const { slateGames, pctOver, highEdgePicks } = input;
  const over = `${fmt(pctOver)}% OVER of bets`;
  if (slateGames <= T.lightSlateMaxGames) {
    return {
      signal: 'RED',
      explanation: `RED (light slate): ${slateGames} games <= ${T.lightSlateMaxGames} (${RULE_SOURCE}). Consider skipping.`,
    };
  }
  if (pctOver < T.redBelowPctOver) {
    return {
      signal: 'RED',
      explanation: `RED (under-heavy): ${over} < ${T.redBelowPctOver}% (${RULE_SOURCE}). Reduce size or skip.`,
    };
  }
  if (pctOver > T.redAbovePctOver) {
    return {
      signal: 'RED',
      explanation: `RED (over-heavy): ${over} > ${T.redAbovePctOver}% (${RULE_SOURCE}). Reduce size or skip.`,
    };
  }
  if (highEdgePicks < T.yellowBelowHighEdge) {
    return {
      signal: 'YELLOW',
      explanation: `YELLOW (low volume): ${highEdgePicks} picks with |edge| >= 5 < ${T.yellowBelowHighEdge}. Caution.`,
    };
  }
  if (pctOver < T.yellowBelowPctOver || pctOver > T.yellowAbovePctOver) {
    return {
      signal: 'YELLOW',
      explanation: `YELLOW (${pctOver < T.yellowBelowPctOver ? 'under' : 'over'}-leaning): ${over} outside ${T.yellowBelowPctOver}-${T.yellowAbovePctOver}%. Caution.`,
    };
  }
  return {
    signal: 'GREEN',
    explanation: `GREEN: ${over} (${T.yellowBelowPctOver}-${T.yellowAbovePctOver}%), ${highEdgePicks} picks with |edge| >= 5, ${slateGames} games. Normal sizing.`,
  };
}

export interface ComputeSignalsOptions {
  gameDate: string;
  /** Games on the slate (the light-slate rule). */
  slateGames: number;
  /** Systems below this many rows with a real line get INSUFFICIENT_DATA. Default 10. */
  minRows?: number;
  calculatedAt: string;
  /** Systems that should have rows (champion + enabled registry keys); missing ones still get a row. */
  expectedSystemIds?: readonly string[];
  /** Used for ordering and for the role of an expected system with no rows. Default catboost_v9. */
  championSystemId?: string;
}

/** One row per system_id present in `currentPredictions` or expected, champion first. */
export function computeSignals(currentPredictions: readonly PredictionRow[], options: ComputeSignalsOptions): DailySignalRow[] {
  const minRows = options.minRows ?? T.defaultMinRows;
  const championId = options.championSystemId ?? CHAMPION_SYSTEM_ID;
  const bySystem = new Map<string, PredictionRow[]>();
  for (const row of currentPredictions) {
    if (row.game_date !== options.gameDate) continue;
    const list = bySystem.get(row.system_id) ?? [];
    list.push(row);
    bySystem.set(row.system_id, list);
  }
  const ids = championFirst([...bySystem.keys(), ...(options.expectedSystemIds ?? [])], championId);

  return ids.map((systemId): DailySignalRow => {
    const rows = bySystem.get(systemId) ?? [];
    const role = rows[0]?.model_role ?? (systemId === championId ? 'champion' : 'challenger');
    const m = computeSlateMetrics(rows);
    const base = {
      game_date: options.gameDate,
      system_id: systemId,
      model_role: role,
      total_picks: m.n_with_line,
      over_count: m.over_count,
      under_count: m.under_count,
      pass_count: m.pass_count,
      high_edge_picks: m.edge_5plus_count,
      edge_3plus_picks: m.edge_3plus_count,
      pct_over: m.pct_over,
      pct_under: m.pct_under,
      avg_confidence_pct: m.avg_confidence_pct,
      avg_abs_edge: m.mean_abs_edge_points,
      avg_pvl: m.mean_pvl_points,
      slate_games: options.slateGames,
      calculated_at: options.calculatedAt,
    };
    if (m.n_with_line < minRows) {
      const without = rows.length - m.n_with_line;
      return {
        ...base,
        skew_category: 'NONE',
        volume_category: 'NONE',
        daily_signal: 'INSUFFICIENT_DATA',
        signal_explanation:
          `INSUFFICIENT_DATA: ${m.n_with_line} current rows with a real book line < minimum ${minRows}` +
          (without > 0 ? ` (${without} more without a line)` : '') +
          (rows.length === 0 ? '; this expected system produced no rows for the date (coverage gap?)' : '') +
          '.',
      };
    }
    if (m.n_bets < T.minBets) {
      return {
        ...base,
        skew_category: 'NONE',
        volume_category: 'NONE',
        daily_signal: 'INSUFFICIENT_DATA',
        signal_explanation: `INSUFFICIENT_DATA: ${m.n_bets} bets (OVER/UNDER) < minimum ${T.minBets}; ${m.pass_count} of ${m.n_with_line} rows with a line were PASS, so the slate's skew is undefined.`,
      };
    }
    const light = dailySignal({ slateGames: options.slateGames, pctOver: m.pct_over, highEdgePicks: m.edge_5plus_count });
    return {
      ...base,
      skew_category: skewCategory(m.pct_over),
      volume_category: volumeCategory(m.edge_5plus_count),
      daily_signal: light.signal,
      signal_explanation: light.explanation,
    };
  });
}

/** Games on a slate when no schedule table is available: distinct game_ids among the date's rows. */
export function slateGamesFromPredictions(rows: readonly Pick<PredictionRow, 'game_id'>[]): number {
  return new Set(rows.map((r) => r.game_id)).size;
}
