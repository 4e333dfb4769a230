/**
 * @module report/verdict
 * THE adapter between every verdict the dashboard, the static report and the digest show and the
 * project's one verdict rule. Nothing in src/report or src/monitoring computes a verdict itself:
 * they call `verdictAgainstChampion` and display what it returns.
 *
 * It calls grading/compare.ts, whose verdict is src/lifecycle/verdict.ts (matched rows: same
 * date, game, player and line; the hit-rate difference with its day-clustered, always-valid 95 %
 * confidence sequence). The label, the difference, its interval and the sentence come from that
 * rule unchanged. The per-side hit-rate intervals are the Wilson bands of metrics/wilson.ts
 * (the one home of hit-rate intervals), a description of each side, not a verdict statistic.
 */
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import { compareModels } from '../grading/compare.js';
import { wilsonInterval, type Interval } from '../metrics/wilson.js';
import { VERDICT_ALPHA, type SideHitRate } from '../lifecycle/verdict.js';

export interface VerdictSide {
  hitRatePct: number | null;
  /** Decided bets (wins + losses) on the matched rows. */
  nDecided: number;
  wins: number;
  /** 95 % Wilson interval of the hit rate; null without a decided bet. */
  interval: Interval | null;
}

export interface VerdictView {
  systemId: string;
  championId: string;
  fromDate: string;
  toDate: string;
  /** The rule's label: CHALLENGER BETTER, CHAMPION BETTER or NOT YET DECIDED. */
  label: string;
  /** Matched rows the verdict is computed on, and the game days they span. */
  matchedRows: number;
  gameDays: number;
  challenger: VerdictSide;
  champion: VerdictSide;
  /** challenger HR - champion HR, percentage points. */
  diffPp: number | null;
  /** Interval of the difference from the verdict rule; null while the rule gives none. */
  diffIntervalPp: { lowPp: number; highPp: number } | null;
  /** One line: the label and the rule's own reason. */
  text: string;
  /** While undecided: the rule's estimate of further bets and game days needed (null when not estimable). */
  toDecide: { moreBets: number | null; moreGameDays: number | null } | null;
  /** Which rule produced it (shown on the page so nobody mistakes one rule for another). */
  rule: string;
}

function side(rec: SideHitRate): VerdictSide {
  return { hitRatePct: rec.pct, nDecided: rec.n, wins: rec.wins, interval: wilsonInterval(rec.wins, rec.n) };
}

/**
 * The verdict of `challengerId` against `championId` on graded rows in [fromDate, toDate].
 * `rows` may hold other systems and dates; only the two systems' rows in the window count.
 */
export function verdictAgainstChampion(
  rows: readonly PredictionAccuracyRow[],
  options: { challengerId: string; championId: string; fromDate: string; toDate: string },
): VerdictView {
  const inWindow = rows.filter((r) => r.game_date >= options.fromDate && r.game_date <= options.toDate);
  const d = compareModels(inWindow, options).decision;
  const diff = d.hitRate.diffPp;
  return {
    systemId: options.challengerId,
    championId: options.championId,
    fromDate: options.fromDate,
    toDate: options.toDate,
    label: d.verdict,
    matchedRows: d.matchedRows,
    gameDays: d.gameDays,
    challenger: side(d.hitRate.challenger),
    champion: side(d.hitRate.champion),
    diffPp: diff?.estimate ?? (d.hitRate.challenger.pct != null && d.hitRate.champion.pct != null ? d.hitRate.challenger.pct - d.hitRate.champion.pct : null),
    diffIntervalPp: diff ? { lowPp: diff.lower, highPp: diff.upper } : null,
    text: `${d.verdict}: ${d.reason}`,
    toDecide: d.toDecide ? { moreBets: d.toDecide.moreBets, moreGameDays: d.toDecide.moreGameDays } : null,
    rule: `lifecycle/verdict: matched rows, day-clustered ${Math.round((1 - (d.method.alpha ?? VERDICT_ALPHA)) * 100)}% confidence sequence (min ${d.method.minDays} game days)`,
  };
}
