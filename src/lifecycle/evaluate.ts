/**
 * @module lifecycle/evaluate
 * Backtest a candidate model on the evaluation dates, the way the live worker would have scored
 * it, against the champion on the SAME rows.
 *
 * For each date: the feature slate, the box scores, and the champion's current rows that carry a
 * real book line (the lines users were actually offered; original §8 `--use-production-lines`).
 * Each champion row becomes a request with that line, then the live path runs unchanged:
 * chooseLine → assembleFeatures (Vegas override) → predictor → toPredictionRows (edge,
 * recommendation, confidence) → gradePredictions. Incident 10.20: a backfill that recomputed
 * recommendations its own way disagreed with live. The champion's own rows are graded by the same
 * function and both sides are compared on matched rows with compareModels.
 */
import type { Storage } from '../storage/storage.js';
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import type { FeatureStoreRow } from '../storage/tables/feature-store.js';
import type { Predictor } from '../models/predictor.js';
import type { SystemPrediction } from '../models/model-set.js';
import { CHAMPION_SYSTEM_ID } from '../../config/registry.js';
import { V9_FEATURE_NAMES } from '../features/contract.js';
import { assembleFeatures, type AssembledFeatures } from '../features/assemble.js';
import { chooseLine } from '../predictions/line.js';
import type { PredictionRequest } from '../predictions/request.js';
import { requestDigest, toPredictionRows } from '../predictions/rows.js';
import { gradePredictions } from '../grading/grade.js';
import { compareModels, type ModelComparison } from '../grading/compare.js';
import { isRealBookLine } from '../metrics/metrics.js';
import { dateRange } from '../jobs/format.js';
import { edge3Metrics, evaluateGates, tierBiases, tierOf, type Gate, type Tier, type TierBias } from './gates.js';

export interface EvaluationOptions {
  candidateId: string;
  evalStart: string;
  evalEnd: string;
  edgeThreshold: number;
  buildCommit: string;
  /** Overrides the champion's MAE on the same rows as the MAE to beat. */
  baselineMae?: number | undefined;
  now: Date;
}

export interface EvaluationResult {
  dates: string[];
  /** Champion rows with a real book line in the window. */
  championLineRows: number;
  /** Of those, rows skipped because the feature store had no row for the player that day. */
  skippedNoFeatures: number;
  /** Graded candidate and champion rows (both system ids). */
  graded: PredictionAccuracyRow[];
  comparison: ModelComparison;
  tiers: TierBias[];
  baselineMae: number | null;
  baselineLabel: string;
  gates: Gate[];
}

/** The request the coordinator would have sent for this champion row's player and line. */
export function requestForChampionRow(row: PredictionRow): PredictionRequest {
  return {
    player_lookup: row.player_lookup,
    game_date: row.game_date,
    game_id: row.game_id,
    line_values: [row.line_value],
    actual_prop_line: row.line_value,
    has_prop_line: true,
    line_source: row.line_source ?? 'ACTUAL_PROP',
    line_source_api: row.line_source_api,
    sportsbook: row.sportsbook,
    was_line_fallback: row.was_line_fallback,
    prediction_run_mode: 'EVALUATION',
  };
}

interface Pending {
  champion: PredictionRow;
  request: PredictionRequest;
  featureRow: FeatureStoreRow;
  line: ReturnType<typeof chooseLine>;
  features: AssembledFeatures;
}

/** Score one date's champion lines with the candidate through the live row builder. */
export async function scoreDate(
  predictor: Predictor,
  slate: readonly FeatureStoreRow[],
  championRows: readonly PredictionRow[],
  options: Pick<EvaluationOptions, 'candidateId' | 'edgeThreshold' | 'buildCommit' | 'now'>,
): Promise<{ rows: PredictionRow[]; matchedChampion: PredictionRow[]; skipped: number }> {
  const byPlayer = new Map(slate.map((r) => [r.player_lookup, r]));
  const pending: Pending[] = [];
  let skipped = 0;
  for (const champion of championRows) {
    const featureRow = byPlayer.get(champion.player_lookup);
    if (!featureRow) {
      skipped++;
      continue;
    }
    const request = requestForChampionRow(champion);
    const line = chooseLine(request);
    pending.push({ champion, request, featureRow, line, features: assembleFeatures(featureRow, line.value) });
  }
  if (pending.length === 0) return { rows: [], matchedChampion: [], skipped };

  // One batch per date; the model's columns are the V9 contract order (checked at load).
  const width = V9_FEATURE_NAMES.length;
  const batch = new Float64Array(pending.length * width);
  pending.forEach((p, i) => batch.set(p.features.vector, i * width));
  const values = await predictor.predict(batch, pending.length);

  const loaded = { systemId: options.candidateId, role: 'challenger' as const, predictor, loadedAt: options.now.toISOString() };
  const rows: PredictionRow[] = [];
  pending.forEach((p, i) => {
    const prediction: SystemPrediction = { systemId: options.candidateId, role: 'challenger', ok: true, value: values[i]!, model: loaded };
    rows.push(
      ...toPredictionRows(
        {
          messageId: `evaluate:${p.champion.game_date}:${p.champion.game_id}:${p.champion.player_lookup}`,
          payloadDigest: requestDigest(p.request),
          requestPublishedAt: p.champion.request_published_at,
          createdAt: options.now.toISOString(),
          request: p.request,
          line: p.line,
          features: p.features,
          featureVersion: p.featureRow.feature_version,
          featureQualityScore: p.featureRow.feature_quality_score,
          edgeThreshold: options.edgeThreshold,
          buildCommit: options.buildCommit,
        },
        [prediction],
      ),
    );
  });
  return { rows, matchedChampion: pending.map((p) => p.champion), skipped };
}

/** The whole evaluation: read, score, grade, compare, gate. */
export async function runEvaluation(
  storage: Pick<Storage, 'features' | 'actuals' | 'predictions'>,
  predictor: Predictor,
  options: EvaluationOptions,
): Promise<EvaluationResult> {
  const dates = dateRange(options.evalStart, options.evalEnd);
  const graded: PredictionAccuracyRow[] = [];
  const tierByPrediction = new Map<string, Tier>();
  let championLineRows = 0;
  let skippedNoFeatures = 0;
  const gradedAt = options.now.toISOString();

  for (const date of dates) {
    const [slate, actuals, champion] = await Promise.all([
      storage.features.loadSlate(date),
      storage.actuals.forDate(date),
      storage.predictions.currentPredictions(date, [CHAMPION_SYSTEM_ID]),
    ]);
    const withLine = champion.filter(isRealBookLine);
    championLineRows += withLine.length;
    const scored = await scoreDate(predictor, slate, withLine, options);
    skippedNoFeatures += scored.skipped;
    for (const r of scored.rows) {
      // the tier comes from what the model saw: the pre-game season average in the snapshot
      const snapshot = JSON.parse(r.features_snapshot) as { points_avg_season?: number | null };
      tierByPrediction.set(r.prediction_id, tierOf(snapshot.points_avg_season));
    }
    graded.push(...gradePredictions([...scored.rows, ...scored.matchedChampion], actuals, gradedAt));
  }

  const comparison = compareModels(graded, {
    challengerId: options.candidateId,
    championId: CHAMPION_SYSTEM_ID,
    fromDate: options.evalStart,
    toDate: options.evalEnd,
  });
  const candidateRows = graded.filter((r) => r.system_id === options.candidateId);
  const tiers = tierBiases(candidateRows.map((row) => ({ tier: tierByPrediction.get(row.prediction_id) ?? 'unknown', row })));
  const baselineMae = options.baselineMae ?? comparison.champion.mae_points;
  const baselineLabel = options.baselineMae !== undefined ? '--baseline-mae' : 'champion on the same rows';
  const gates = evaluateGates({
    candidate: comparison.challenger,
    candidateEdge3: edge3Metrics(candidateRows),
    baselineMae,
    baselineLabel,
    tiers,
  });
  return { dates, championLineRows, skippedNoFeatures, graded, comparison, tiers, baselineMae, baselineLabel, gates };
}
