/**
 * @module grading/compare
 * Challenger vs champion on MATCHED graded rows: the same game date, game, player and book line
 * (incident 10.8: unmatched windows and edge-3+ survivorship made backtests look better than
 * live). Both sides' N is always shown beside every hit rate. Also the head-to-head on rows where
 * the two models took opposite sides ("disagreements"), the strongest promotion evidence found.
 */
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import { computeMetrics, fmt, type BetRecord, type GradedMetrics } from '../metrics/metrics.js';

export type CompareVerdict = 'CHALLENGER BETTER' | 'CHAMPION BETTER' | 'TIE' | 'NO DATA';

export interface ModelComparison {
  challengerId: string;
  championId: string;
  fromDate: string;
  toDate: string;
  /** Graded rows each side had in the window, and how many matched. */
  challengerRows: number;
  championRows: number;
  matchedRows: number;
  gameDays: number;
  challenger: GradedMetrics;
  champion: GradedMetrics;
  /** Matched rows where both bet and took opposite sides. */
  disagreements: { n: number; challenger: BetRecord; champion: BetRecord };
  /** challenger HR all - champion HR all, percentage points (null without decided bets). */
  hitRateDiffPp: number | null;
  verdict: CompareVerdict;
  /** One line with the verdict, both hit rates and both N. */
  verdictText: string;
}

/** HR differences smaller than this (percentage points) are a TIE. */
export const TIE_MARGIN_PP = 1;

function matchKey(r: PredictionAccuracyRow): string | null {
  // only rows with a real book line can be matched (the line is part of the key)
  return r.line_value == null ? null : `${r.game_date}|${r.game_id}|${r.player_lookup}|${r.line_value}`;
}

function hr(rec: BetRecord): string {
  return `${fmt(rec.hit_rate_pct)}% (N=${rec.n_decided})`;
}

export function compareModels(
  rows: readonly PredictionAccuracyRow[],
  options: { challengerId: string; championId: string; fromDate: string; toDate: string },
): ModelComparison {
  const { challengerId, championId } = options;
  const chal = rows.filter((r) => r.system_id === challengerId);
  const champ = rows.filter((r) => r.system_id === championId);
  const champByKey = new Map<string, PredictionAccuracyRow>();
  for (const r of champ) {
    const k = matchKey(r);
    if (k) champByKey.set(k, r);
  }
  const pairs: Array<[PredictionAccuracyRow, PredictionAccuracyRow]> = [];
  for (const r of chal) {
    const k = matchKey(r);
    const other = k ? champByKey.get(k) : undefined;
    if (other) pairs.push([r, other]);
  }
  const challenger = computeMetrics(pairs.map((p) => p[0]));
  const champion = computeMetrics(pairs.map((p) => p[1]));

  const isBet = (r: PredictionAccuracyRow) => r.recommendation === 'OVER' || r.recommendation === 'UNDER';
  const opposite = pairs.filter(([a, b]) => isBet(a) && isBet(b) && a.recommendation !== b.recommendation);
  const disagreements = {
    n: opposite.length,
    challenger: computeMetrics(opposite.map((p) => p[0])).all,
    champion: computeMetrics(opposite.map((p) => p[1])).all,
  };

  const a = challenger.all.hit_rate_pct;
  const b = champion.all.hit_rate_pct;
  const diff = a == null || b == null ? null : a - b;
  const verdict: CompareVerdict =
    diff == null ? 'NO DATA' : Math.abs(diff) < TIE_MARGIN_PP ? 'TIE' : diff > 0 ? 'CHALLENGER BETTER' : 'CHAMPION BETTER';
  const verdictText =
    verdict === 'NO DATA'
      ? `NO DATA: ${pairs.length} matched rows, no decided bets on one side (grading runs the day after the games)`
      : `${verdict}: HR all ${hr(challenger.all)} vs ${hr(champion.all)}, ${diff! >= 0 ? '+' : ''}${fmt(diff, 1)} pp; ` +
        `edge 3+ ${hr(challenger.edge_3plus)} vs ${hr(champion.edge_3plus)}; ` +
        `MAE ${fmt(challenger.mae_points, 2)} vs ${fmt(champion.mae_points, 2)}`;

  return {
    challengerId,
    championId,
    fromDate: options.fromDate,
    toDate: options.toDate,
    challengerRows: chal.length,
    championRows: champ.length,
    matchedRows: pairs.length,
    gameDays: new Set(pairs.map(([r]) => r.game_date)).size,
    challenger,
    champion,
    disagreements,
    hitRateDiffPp: diff,
    verdict,
    verdictText,
  };
}

/** Plain-text report: one metric per line, challenger and champion side by side. */
export function formatComparison(c: ModelComparison): string {
  const rows: Array<[string, string, string]> = [
    ['graded rows (window)', String(c.challengerRows), String(c.championRows)],
    ['matched rows', String(c.matchedRows), String(c.matchedRows)],
    ['MAE points', fmt(c.challenger.mae_points, 2), fmt(c.champion.mae_points, 2)],
    ['HR all', hr(c.challenger.all), hr(c.champion.all)],
    ['HR edge 3+', hr(c.challenger.edge_3plus), hr(c.champion.edge_3plus)],
    ['HR edge 5+', hr(c.challenger.edge_5plus), hr(c.champion.edge_5plus)],
    ['PVL points', fmt(c.challenger.mean_pvl_points, 2), fmt(c.champion.mean_pvl_points, 2)],
    ['mean |edge| points', fmt(c.challenger.mean_abs_edge_points, 2), fmt(c.champion.mean_abs_edge_points, 2)],
    ['OVER HR', hr(c.challenger.over), hr(c.champion.over)],
    ['UNDER HR', hr(c.challenger.under), hr(c.champion.under)],
    [`disagreements (${c.disagreements.n})`, hr(c.disagreements.challenger), hr(c.disagreements.champion)],
  ];
  const w0 = Math.max(...rows.map((r) => r[0].length), 6);
  const w1 = Math.max(...rows.map((r) => r[1].length), c.challengerId.length);
  const line = (a: string, b: string, d: string) => `${a.padEnd(w0)}  ${b.padEnd(w1)}  ${d}`;
  return [
    `compare ${c.challengerId} vs ${c.championId}, ${c.fromDate}..${c.toDate} (${c.gameDays} game days, matched on date/game/player/line)`,
    line('metric', c.challengerId, c.championId),
    ...rows.map((r) => line(...r)),
    c.verdictText,
    '',
  ].join('\n');
}
