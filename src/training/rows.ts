/**
 * @module training/rows
 * The training set, exported from storage: every feature-store row whose game_date lies inside
 * the training window, joined with its box-score actual (same game_date, game_id, player), one
 * CSV row each with its game_date. The 33 features go through the live feature assembly
 * (assembleFeatures, the store's own Vegas line) so training sees exactly what the worker
 * feeds the model. DNPs (no minutes) and unknown points are left out, as in the original's
 * training set. The CSV bytes are the lineage fingerprint (sha256).
 */
import { createHash } from 'node:crypto';
import type { Storage } from '../storage/storage.js';
import { V9_FEATURE_NAMES } from '../features/contract.js';
import { assembleFeatures } from '../features/assemble.js';
import { dateRange } from '../jobs/format.js';
import { formatCell } from '../synthetic/csv.js';

export interface TrainingExport {
  /** CSV: game_date, player_lookup, game_id, the 33 V9 features (empty = NaN), points. */
  csv: string;
  rows: number;
  gameDays: number;
  firstRowDate: string | null;
  lastRowDate: string | null;
  /** "sha256:<hex>" of `csv`. */
  fingerprint: string;
  /** Feature-store rows in the window without a usable actual (DNP, unknown points, no box score). */
  skipped: number;
}

/** The CSV header the Python trainer expects. */
export const TRAINING_CSV_HEADER = ['game_date', 'player_lookup', 'game_id', ...V9_FEATURE_NAMES, 'points'] as const;

/**
 * Reads [trainStart, trainEnd] from storage (one date at a time) and builds the training CSV,
 * sorted by game_date, game_id, player_lookup. `onDate` reports progress.
 */
export async function exportTrainingRows(
  storage: Pick<Storage, 'features' | 'actuals'>,
  window: { trainStart: string; trainEnd: string },
  onDate?: (date: string, rows: number) => void,
): Promise<TrainingExport> {
  const lines: string[] = [TRAINING_CSV_HEADER.join(',')];
  let rows = 0;
  let skipped = 0;
  const days = new Set<string>();
  for (const date of dateRange(window.trainStart, window.trainEnd)) {
    const [slate, actuals] = await Promise.all([storage.features.loadSlate(date), storage.actuals.forDate(date)]);
    const actualByKey = new Map(actuals.map((a) => [`${a.game_id}|${a.player_lookup}`, a]));
    const dayRows = slate
      .filter((r) => r.game_date === date)
      .sort((a, b) => (a.game_id === b.game_id ? a.player_lookup.localeCompare(b.player_lookup) : a.game_id.localeCompare(b.game_id)));
    let n = 0;
    for (const r of dayRows) {
      const actual = actualByKey.get(`${r.game_id}|${r.player_lookup}`);
      if (!actual || actual.points == null || !(actual.minutes_played != null && actual.minutes_played > 0)) {
        skipped++;
        continue;
      }
      const { vector } = assembleFeatures(r, null);
      lines.push([date, r.player_lookup, r.game_id, ...Array.from(vector, formatCell), String(actual.points)].join(','));
      n++;
    }
    if (n > 0) days.add(date);
    rows += n;
    onDate?.(date, n);
  }
  const csv = `${lines.join('\n')}\n`;
  const sorted = [...days].sort();
  return {
    csv,
    rows,
    gameDays: days.size,
    firstRowDate: sorted[0] ?? null,
    lastRowDate: sorted.at(-1) ?? null,
    fingerprint: `sha256:${createHash('sha256').update(csv).digest('hex')}`,
    skipped,
  };
}
