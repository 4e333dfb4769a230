/**
 * @module jobs/grade-job
 * Grade one game date: current predictions (storage's one current-row rule) × box scores →
 * prediction_accuracy, replacing the date's rows of the graded systems (delete-then-insert), so
 * re-running is idempotent, always reflects the rows that are current at the time of the run, and
 * never deletes the rows of a system (or writer) it did not grade.
 */
import type { Storage } from '../storage/storage.js';
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import { PwError } from '../errors.js';
import { duplicateAccuracyKeys, gradePredictions } from '../grading/grade.js';
import { championFirst, computeMetrics, fmt, type GradedMetrics } from '../metrics/metrics.js';
import { CHAMPION_SYSTEM_ID } from '../../config/registry.js';
import { renderTable } from './format.js';

export interface SystemGradeSummary {
  system_id: string;
  model_role: string;
  metrics: GradedMetrics;
}

export interface GradeJobResult {
  gameDate: string;
  gradedAt: string;
  predictions: number;
  actuals: number;
  rowsWritten: number;
  /** Rows without actuals (UNGRADED): grading ran too early or the box score is missing. */
  ungraded: number;
  bySystem: SystemGradeSummary[];
}

/** Per-system metrics, champion first. */
export function summarizeBySystem(rows: readonly PredictionAccuracyRow[], championId = CHAMPION_SYSTEM_ID): SystemGradeSummary[] {
  const groups = new Map<string, PredictionAccuracyRow[]>();
  for (const r of rows) groups.set(r.system_id, [...(groups.get(r.system_id) ?? []), r]);
  return championFirst(groups.keys(), championId).map((id) => {
    const list = groups.get(id)!;
    return { system_id: id, model_role: list[0]!.model_role, metrics: computeMetrics(list) };
  });
}

export async function runGradeJob(input: { storage: Storage; gameDate: string; now: Date }): Promise<GradeJobResult> {
  const { storage, gameDate } = input;
  const gradedAt = input.now.toISOString();
  const [predictions, actuals] = await Promise.all([storage.predictions.currentPredictions(gameDate), storage.actuals.forDate(gameDate)]);
  const rows = gradePredictions(predictions, actuals, gradedAt);
  const dups = duplicateAccuracyKeys(rows);
  if (dups.length > 0) {
    // the current-row rule guarantees one row per key; refuse to write if it ever does not
    throw new PwError('PW_ERR_JOB_INPUT', undefined, `current predictions for ${gameDate} repeat keys: ${dups.slice(0, 3).join(', ')}`);
  }
  // Rewrite only the systems graded here (those with current predictions), never other rows of the date.
  await storage.accuracy.replaceDate(gameDate, rows, [...new Set(predictions.map((p) => p.system_id))]);
  return {
    gameDate,
    gradedAt,
    predictions: predictions.length,
    actuals: actuals.length,
    rowsWritten: rows.length,
    ungraded: rows.filter((r) => r.outcome === 'UNGRADED').length,
    bySystem: summarizeBySystem(rows),
  };
}

export function formatGradeSummary(result: GradeJobResult): string {
  const head = `graded ${result.gameDate}: ${result.rowsWritten} rows (${result.predictions} current predictions, ${result.actuals} box scores, ${result.ungraded} ungraded)\n`;
  const table = renderTable(
    ['system_id', 'role', 'rows', 'bets', 'wins', 'losses', 'pushes', 'voids', 'hr_pct', 'hr3_pct', 'n3', 'mae_pts', 'pvl_pts'],
    result.bySystem.map(({ system_id, model_role, metrics: m }) => [
      system_id,
      model_role,
      String(m.n_rows),
      String(m.all.n_bets),
      String(m.all.wins),
      String(m.all.losses),
      String(m.all.pushes),
      String(m.all.voids),
      fmt(m.all.hit_rate_pct),
      fmt(m.edge_3plus.hit_rate_pct),
      String(m.edge_3plus.n_decided),
      fmt(m.mae_points, 2),
      fmt(m.mean_pvl_points, 2),
    ]),
  );
  return head + table;
}
