/**
 * Graded rows with chosen outcomes, for the monitoring, report and browser tests. Each row is a
 * consistent OVER bet on a 20.5 line: predicted = line + edge, actual = line ± 1.5 (WIN/LOSS),
 * = 20 for a PUSH on a 20 line, null minutes for a VOID; every row passes the table's schema.
 */
import { sampleAccuracyRow, samplePredictionRow, sampleOutcomeRow } from '../../src/storage/sample-rows.js';
import { predictionAccuracyTable, type PredictionAccuracyRow, type PredictionRow, type RequestOutcomeRow } from '../../src/storage/tables/index.js';

export interface DaySpec {
  wins?: number;
  losses?: number;
  pushes?: number;
  voids?: number;
  /** Of the wins and losses above, how many are at |edge| >= 3 (edge 3.5; the rest edge 1.5). */
  edge3Wins?: number;
  edge3Losses?: number;
  /** PASS rows (NO_BET). */
  passes?: number;
}

export function gradedDay(systemId: string, gameDate: string, spec: DaySpec, role = systemId === 'catboost_v9' ? 'champion' : 'challenger'): PredictionAccuracyRow[] {
  const rows: PredictionAccuracyRow[] = [];
  let i = 0;
  const add = (kind: 'WIN' | 'LOSS' | 'PUSH' | 'VOID' | 'NO_BET', edge: number) => {
    const line = kind === 'PUSH' ? 20 : 20.5;
    const predicted = line + edge;
    const actual = kind === 'WIN' ? line + 1.5 : kind === 'LOSS' ? line - 1.5 : kind === 'PUSH' ? line : kind === 'NO_BET' ? line + 2.5 : null;
    const played = actual != null;
    const player = `p${String(i++).padStart(3, '0')}`;
    rows.push(
      predictionAccuracyTable.rowSchema.parse(
        sampleAccuracyRow({
          game_date: gameDate,
          system_id: systemId,
          model_role: role,
          player_lookup: player,
          game_id: `${gameDate.replaceAll('-', '')}_AAA_BBB`,
          prediction_id: `${systemId}:${gameDate}:${player}`,
          model_version: systemId,
          recommendation: kind === 'NO_BET' ? 'PASS' : 'OVER',
          line_value: line,
          predicted_points: predicted,
          edge,
          predicted_margin: edge,
          actual_points: actual,
          minutes_played: played ? 30 : 0,
          absolute_error: played ? Math.abs(predicted - actual) : null,
          signed_error: played ? predicted - actual : null,
          within_3_points: played ? Math.abs(predicted - actual) <= 3 : null,
          within_5_points: played ? Math.abs(predicted - actual) <= 5 : null,
          actual_margin: played ? actual - line : null,
          outcome: kind,
          prediction_correct: kind === 'WIN' ? true : kind === 'LOSS' ? false : null,
          is_voided: kind === 'VOID',
          void_reason: kind === 'VOID' ? 'dnp_no_minutes' : null,
          outcome_reason: kind === 'VOID' ? 'dnp_no_minutes' : kind === 'NO_BET' ? 'recommendation_pass' : null,
          graded_at: `${gameDate}T23:00:00.000Z`,
        }),
      ),
    );
  };
  const e3w = spec.edge3Wins ?? 0;
  const e3l = spec.edge3Losses ?? 0;
  for (let k = 0; k < (spec.wins ?? 0); k++) add('WIN', k < e3w ? 3.5 : 1.5);
  for (let k = 0; k < (spec.losses ?? 0); k++) add('LOSS', k < e3l ? 3.5 : 1.5);
  for (let k = 0; k < (spec.pushes ?? 0); k++) add('PUSH', 1.5);
  for (let k = 0; k < (spec.voids ?? 0); k++) add('VOID', 1.5);
  for (let k = 0; k < (spec.passes ?? 0); k++) add('NO_BET', 0.5);
  return rows;
}

/** `n` current prediction rows of one system for a date (coverage inputs). */
export function predictionRows(systemId: string, gameDate: string, n: number): PredictionRow[] {
  return Array.from({ length: n }, (_, i) =>
    samplePredictionRow({
      game_date: gameDate,
      system_id: systemId,
      model_role: systemId === 'catboost_v9' ? 'champion' : 'challenger',
      player_lookup: `p${String(i).padStart(3, '0')}`,
      prediction_id: `${systemId}:${gameDate}:${i}`,
    }),
  );
}

/** One written outcome naming the systems that wrote and failed. */
export function outcomeRow(gameDate: string, messageId: string, systems: string[], failed: string[] = []): RequestOutcomeRow {
  return sampleOutcomeRow({ game_date: gameDate, message_id: messageId, systems, failed_systems: failed, rows_written: systems.length });
}
