/**
 * @module report/verdict
 * THE adapter between every verdict the dashboard, the static report and the digest show and the
 * project's one verdict rule. Nothing in src/report or src/monitoring computes a verdict itself:
 * they call `verdictAgainstChampion` and display what it returns.
 *
 * Today it calls grading/compare.ts (matched rows: same date, game, player and line; HR
 * difference with a 1-point tie margin). When src/lifecycle/verdict.ts (the sequential,
 * interval-based rule) lands, only this function changes: it fills `diffIntervalPp` from that
 * rule and takes its label. The per-side hit-rate intervals are the Wilson bands of
 * metrics/wilson.ts (the one home of hit-rate intervals), not a verdict statistic.
 */
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import { compareModels } from '../grading/compare.js';
import { wilsonInterval, type Interval } from '../metrics/wilson.js';
import type { BetRecord } from '../metrics/metrics.js';

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
  /** The rule's label, e.g. CHALLENGER BETTER, CHAMPION BETTER, TIE, NO DATA. */
  label: string;
  /** Matched rows the verdict is computed on. */
  matchedRows: number;
  challenger: VerdictSide;
  champion: VerdictSide;
  /** challenger HR - champion HR, percentage points. */
  diffPp: number | null;
  /** Interval of the difference from the verdict rule; null while the rule gives none. */
  diffIntervalPp: { lowPp: number; highPp: number } | null;
  /** One line, the rule's own wording. */
  text: string;
  /** Which rule produced it (shown on the page so nobody mistakes one rule for another). */
  rule: string;
}

function side(rec: BetRecord): VerdictSide {
  return { hitRatePct: rec.hit_rate_pct, nDecided: rec.n_decided, wins: rec.wins, interval: wilsonInterval(rec.wins, rec.n_decided) };
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
  const c = compareModels(inWindow, options);
  return {
    systemId: options.challengerId,
    championId: options.championId,
    fromDate: options.fromDate,
    toDate: options.toDate,
    label: c.verdict,
    matchedRows: c.matchedRows,
    challenger: side(c.challenger.all),
    champion: side(c.champion.all),
    diffPp: c.hitRateDiffPp,
    diffIntervalPp: null,
    text: c.verdictText,
    rule: 'grading/compare (matched rows, HR all, 1-point tie margin)',
  };
}
