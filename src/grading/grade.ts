/**
 * @module grading/grade
 * Pure grading: current prediction rows × actual box scores → prediction_accuracy rows. Every
 * system_id is graded by the same rules; the caller passes the current rows (one per
 * game/player/system, from storage's one current-row rule) and never deduplicates here.
 *
 * Outcome of a row, first match wins:
 *   UNGRADED  no box-score row for the player/game, or points unknown while minutes > 0
 *   VOID      a bet whose player did not play (minutes 0/null and points 0/null)
 *   NO_BET    PASS / NO_LINE, or OVER/UNDER without a real book line (never a WIN/LOSS)
 *   PUSH      actual == line
 *   WIN/LOSS  OVER wins iff actual > line; UNDER wins iff actual < line
 * Errors (absolute/signed, within 3/5) are filled whenever the player played and points are
 * known, bets or not; margins only with a real book line.
 */
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';
import type { PlayerGameSummaryRow } from '../storage/tables/player-game-summary.js';
import type { GradeOutcome, PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import { edgePoints, isRealBookLine } from '../metrics/metrics.js';

/** Why a row was not a decided bet; stored in `outcome_reason` (and `void_reason` for DNPs). */
export const OUTCOME_REASONS = {
  noActuals: 'no_actuals',
  pointsUnknown: 'points_unknown',
  dnpNoMinutes: 'dnp_no_minutes',
  pass: 'recommendation_pass',
  noLine: 'no_book_line',
} as const;

/** Round away floating-point noise (24.3 - 21.3) without losing any real precision. */
function clean(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function actualKey(gameDate: string, gameId: string, player: string): string {
  return `${gameDate}|${gameId}|${player}`;
}

/** Did not play: no minutes and no points (a null counts as none). */
function didNotPlay(a: PlayerGameSummaryRow): boolean {
  return (a.minutes_played == null || a.minutes_played === 0) && (a.points == null || a.points === 0);
}

function gradeOne(p: PredictionRow, actual: PlayerGameSummaryRow | undefined, gradedAt: string): PredictionAccuracyRow {
  const realLine = isRealBookLine(p);
  const line = realLine ? (p.line_value as number) : null;
  const isBet = realLine && (p.recommendation === 'OVER' || p.recommendation === 'UNDER');
  const voided = actual !== undefined && didNotPlay(actual);
  const points = actual && !voided ? actual.points : null;

  let outcome: GradeOutcome;
  let reason: string | null = null;
  if (actual === undefined) {
    outcome = 'UNGRADED';
    reason = OUTCOME_REASONS.noActuals;
  } else if (voided) {
    outcome = isBet ? 'VOID' : 'NO_BET';
    reason = OUTCOME_REASONS.dnpNoMinutes;
  } else if (points == null) {
    outcome = 'UNGRADED';
    reason = OUTCOME_REASONS.pointsUnknown;
  } else if (!isBet) {
    outcome = 'NO_BET';
    reason = realLine ? OUTCOME_REASONS.pass : OUTCOME_REASONS.noLine;
  } else if (points === line) {
    outcome = 'PUSH';
  } else {
    const wentOver = points > (line as number);
    outcome = wentOver === (p.recommendation === 'OVER') ? 'WIN' : 'LOSS';
  }

  const error = points == null ? null : clean(p.predicted_points - points);
  const rawEdge = edgePoints(p.predicted_points, line);
  const edge = rawEdge == null ? null : clean(rawEdge);
  return {
    game_date: p.game_date,
    system_id: p.system_id,
    model_role: p.model_role,
    player_lookup: p.player_lookup,
    game_id: p.game_id,
    prediction_id: p.prediction_id,
    model_sha256: p.model_sha256,
    model_version: p.model_version,
    recommendation: p.recommendation,
    line_value: line,
    line_source: p.line_source,
    sportsbook: p.sportsbook,
    predicted_points: p.predicted_points,
    confidence_pct: p.confidence_pct,
    edge,
    actual_points: actual?.points ?? null,
    minutes_played: actual?.minutes_played ?? null,
    absolute_error: error == null ? null : Math.abs(error),
    signed_error: error,
    within_3_points: error == null ? null : Math.abs(error) <= 3,
    within_5_points: error == null ? null : Math.abs(error) <= 5,
    predicted_margin: edge,
    actual_margin: line == null || points == null ? null : clean(points - line),
    outcome,
    prediction_correct: outcome === 'WIN' ? true : outcome === 'LOSS' ? false : null,
    is_voided: voided,
    void_reason: voided ? OUTCOME_REASONS.dnpNoMinutes : null,
    outcome_reason: reason,
    graded_at: gradedAt,
  };
}

/**
 * Grade current prediction rows against box scores. Actuals match on (game_date, game_id,
 * player_lookup). Output is sorted by (system_id, player_lookup, game_id) so re-grading yields
 * identical rows in identical order.
 */
export function gradePredictions(
  predictions: readonly PredictionRow[],
  actuals: readonly PlayerGameSummaryRow[],
  gradedAt: string,
): PredictionAccuracyRow[] {
  const byKey = new Map<string, PlayerGameSummaryRow>();
  for (const a of actuals) byKey.set(actualKey(a.game_date, a.game_id, a.player_lookup), a);
  return predictions
    .map((p) => gradeOne(p, byKey.get(actualKey(p.game_date, p.game_id, p.player_lookup)), gradedAt))
    .sort(
      (a, b) =>
        a.system_id.localeCompare(b.system_id) || a.player_lookup.localeCompare(b.player_lookup) || a.game_id.localeCompare(b.game_id),
    );
}

/** Business keys that occur more than once (must be empty; the accuracy table is keyed on them). */
export function duplicateAccuracyKeys(rows: readonly PredictionAccuracyRow[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const r of rows) {
    const k = `${r.game_date}|${r.system_id}|${r.player_lookup}|${r.game_id}`;
    if (seen.has(k)) dups.add(k);
    seen.add(k);
  }
  return [...dups];
}
