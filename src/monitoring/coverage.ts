/**
 * @module monitoring/coverage
 * Per game date: every system the worker was configured to run against the rows it produced
 * (original §7.4, and its blind spot, incident 10.9: a canary whose "known" models were those
 * seen in the last 7 days could never see a model that never produced a row).
 *
 * Configured = the registry's expected systems (champion + enabled entries) UNION every system
 * the request outcomes name for the date (`systems` that wrote, `failed_systems` that failed),
 * so a model the registry lists but the worker never ran, and one the worker tried but that
 * always failed, are both in the set. Rows = the date's current prediction rows per system.
 *
 * Status (first match wins):
 *   NO_SLATE    no request outcome and no prediction row for the date (no games, nothing to judge)
 *   MISSING     configured, zero rows
 *   UNEXPECTED  rows from a system neither the registry nor the champion names (a disabled model
 *               still writing: incident 10.14)
 *   STARVED     fewer than half the champion's rows (the original's 50 % canary line)
 *   OK          otherwise
 */
import type { CoverageStatus } from '../storage/tables/model-performance-daily.js';
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';
import type { RequestOutcomeRow } from '../storage/tables/request-outcomes.js';
import { championFirst } from '../metrics/metrics.js';

export const COVERAGE_RULE = {
  /** A system with rows below this share of the champion's is STARVED. */
  starvedBelowShareOfChampion: 0.5,
} as const;

export interface CoverageRow {
  system_id: string;
  /** In the registry's expected set (champion + enabled entries). */
  expected: boolean;
  /** Named by a request outcome for the date (wrote or failed). */
  seen_in_outcomes: boolean;
  predicted_rows: number;
  champion_rows: number;
  /** Messages on which this system failed. */
  failed_requests: number;
  /** predicted_rows / champion_rows; null when the champion has none. */
  share_of_champion: number | null;
  status: CoverageStatus;
}

export interface CoverageInput {
  gameDate: string;
  championSystemId: string;
  /** Champion + enabled registry entries. */
  expectedSystemIds: readonly string[];
  /** The date's current prediction rows (only system_id is read). */
  predictions: ReadonlyArray<Pick<PredictionRow, 'system_id' | 'game_date'>>;
  /** The date's request outcomes. */
  outcomes: ReadonlyArray<Pick<RequestOutcomeRow, 'systems' | 'failed_systems' | 'game_date'>>;
}

/** One row per configured or producing system, champion first. Pure. */
export function computeCoverage(input: CoverageInput): CoverageRow[] {
  const rows = new Map<string, number>();
  for (const p of input.predictions) if (p.game_date === input.gameDate) rows.set(p.system_id, (rows.get(p.system_id) ?? 0) + 1);
  const seen = new Set<string>();
  const failed = new Map<string, number>();
  let outcomesForDate = 0;
  for (const o of input.outcomes) {
    if (o.game_date !== input.gameDate) continue;
    outcomesForDate++;
    for (const s of o.systems) seen.add(s);
    for (const s of o.failed_systems) {
      seen.add(s);
      failed.set(s, (failed.get(s) ?? 0) + 1);
    }
  }
  const expected = new Set([input.championSystemId, ...input.expectedSystemIds]);
  const championRows = rows.get(input.championSystemId) ?? 0;
  const noSlate = outcomesForDate === 0 && rows.size === 0;
  const ids = championFirst([...expected, ...seen, ...rows.keys()], input.championSystemId);
  return ids.map((id): CoverageRow => {
    const n = rows.get(id) ?? 0;
    const share = championRows > 0 ? n / championRows : null;
    let status: CoverageStatus;
    if (noSlate) status = 'NO_SLATE';
    else if (n === 0) status = 'MISSING';
    else if (!expected.has(id)) status = 'UNEXPECTED';
    else if (share != null && share < COVERAGE_RULE.starvedBelowShareOfChampion) status = 'STARVED';
    else status = 'OK';
    return {
      system_id: id,
      expected: expected.has(id),
      seen_in_outcomes: seen.has(id),
      predicted_rows: n,
      champion_rows: championRows,
      failed_requests: failed.get(id) ?? 0,
      share_of_champion: share,
      status,
    };
  });
}
