/**
 * @module grading/compare
 * Challenger vs champion on MATCHED graded rows: the same game date, game, player and book line
 * (incident 10.8: unmatched windows and edge-3+ survivorship made backtests look better than
 * live). Both sides' N is always shown beside every hit rate. Also the head-to-head on rows where
 * the two models took opposite sides ("disagreements"), the strongest promotion evidence found.
 */
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import { computeMetrics, fmt, type BetRecord, type GradedMetrics } from '../metrics/metrics.js';
import { decideVerdict, formatVerdict, matchGradedRows, type Verdict, type VerdictLabel, type VerdictOptions } from '../lifecycle/verdict.js';

/** The verdict label of src/lifecycle/verdict.ts (the one verdict rule). */
export type CompareVerdict = VerdictLabel;

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
  /** The full verdict (intervals, N of every figure, bets needed): src/lifecycle/verdict.ts. */
  decision: Verdict;
  /** The verdict block as text (formatVerdict). */
  verdictText: string;
}

function hr(rec: BetRecord): string {
  return `${fmt(rec.hit_rate_pct)}% (N=${rec.n_decided})`;
}

export function compareModels(
  rows: readonly PredictionAccuracyRow[],
  options: { challengerId: string; championId: string; fromDate: string; toDate: string; verdict?: VerdictOptions },
): ModelComparison {
  const { challengerId, championId } = options;
  const chal = rows.filter((r) => r.system_id === challengerId);
  const champ = rows.filter((r) => r.system_id === championId);
  const matched = matchGradedRows(rows, { challengerId, championId });
  const pairs: Array<[PredictionAccuracyRow, PredictionAccuracyRow]> = matched.map((p) => [p.challenger, p.champion]);
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
  const decision = decideVerdict(matched, { challengerId, championId }, options.verdict);

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
    hitRateDiffPp: a == null || b == null ? null : a - b,
    verdict: decision.verdict,
    decision,
    verdictText: formatVerdict(decision).join('\n'),
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
