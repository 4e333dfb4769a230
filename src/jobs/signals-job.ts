/**
 * @module jobs/signals-job
 * Daily signals for one date: one row per system present or expected (champion + enabled
 * registry keys), replacing the date's rows so re-running is idempotent.
 */
import type { Storage } from '../storage/storage.js';
import type { DailySignalRow } from '../storage/tables/daily-prediction-signals.js';
import { computeSignals, slateGamesFromPredictions } from '../signals/signals.js';
import { fmt } from '../metrics/metrics.js';
import { CHAMPION_SYSTEM_ID } from '../../config/registry.js';
import { renderTable } from './format.js';

export interface SignalsJobResult {
  gameDate: string;
  slateGames: number;
  rows: DailySignalRow[];
}

export async function runSignalsJob(input: {
  storage: Storage;
  gameDate: string;
  expectedSystemIds: readonly string[];
  now: Date;
  /** Games on the slate; default = distinct game_ids among the date's current predictions (no schedule table). */
  slateGames?: number;
  minRows?: number;
  championSystemId?: string;
}): Promise<SignalsJobResult> {
  const current = await input.storage.predictions.currentPredictions(input.gameDate);
  const slateGames = input.slateGames ?? slateGamesFromPredictions(current);
  const rows = computeSignals(current, {
    gameDate: input.gameDate,
    slateGames,
    minRows: input.minRows,
    calculatedAt: input.now.toISOString(),
    expectedSystemIds: input.expectedSystemIds,
    championSystemId: input.championSystemId ?? CHAMPION_SYSTEM_ID,
  });
  await input.storage.signals.replaceDate(input.gameDate, rows);
  return { gameDate: input.gameDate, slateGames, rows };
}

export function formatSignalsSummary(result: SignalsJobResult): string {
  const head = `signals ${result.gameDate}: ${result.rows.length} systems, slate ${result.slateGames} games\n`;
  return (
    head +
    renderTable(
      ['system_id', 'role', 'signal', 'rows', 'pct_over', 'high_edge', 'edge3', 'pvl_pts', 'skew', 'volume'],
      result.rows.map((r) => [
        r.system_id,
        r.model_role,
        r.daily_signal,
        String(r.total_picks),
        fmt(r.pct_over),
        String(r.high_edge_picks),
        String(r.edge_3plus_picks),
        fmt(r.avg_pvl, 2),
        r.skew_category,
        r.volume_category,
      ]),
    ) +
    result.rows.map((r) => `${r.system_id}: ${r.signal_explanation}\n`).join('')
  );
}
