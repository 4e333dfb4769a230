/**
 * @module predictions/rows
 * One PredictionRow per system_id that produced a value for a message. Pure: everything the row
 * needs is passed in (message identity, request, chosen line, assembled features, model outputs,
 * clock, build commit).
 *
 * - prediction_id = first 32 hex of sha256(message_id + NUL + payload_digest + NUL + system_id):
 *   a redelivered message (same bytes) maps to the same ids, so an idempotent sink stores it once;
 *   another payload under a reused message id maps to other ids, so it can never overwrite the
 *   first payload's rows, even when two worker instances take both at once (issue 7, class 4).
 * - predicted_points = raw clamped to [0, 60]; raw_prediction keeps the model's own value.
 * - edge, recommendation and line_value all come from the ONE chosen line (incident 10.6).
 */
import { hash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { PredictionRow, Recommendation } from '../storage/tables/player-prop-predictions.js';
import type { SystemPrediction } from '../models/model-set.js';
import { V9_FEATURE_INDEX, V9_FEATURE_NAMES } from '../features/contract.js';
import type { AssembledFeatures } from '../features/assemble.js';
import type { ChosenLine } from './line.js';
import type { PredictionRequest } from './request.js';
import { confidencePct } from './confidence.js';
import { edgePoints } from '../metrics/metrics.js';

export const MIN_POINTS = 0;
export const MAX_POINTS = 60;

/**
 * The row id of one system's prediction for one message: first 32 hex of
 * sha256(messageId NUL payloadDigest NUL systemId). `payloadDigest` is the sha256 hex of the
 * payload bytes (worker/envelope.ts `payloadDigest`). Same message, same bytes → same id.
 */
export function predictionId(messageId: string, payloadDigest: string, systemId: string): string {
  return hash('sha256', `${messageId}\u0000${payloadDigest}\u0000${systemId}`, 'hex').slice(0, 32);
}

/**
 * The payload digest for rows made without a Pub/Sub push (lifecycle evaluate, seeds): sha256 hex
 * of the request's JSON, so re-running the same request keeps the same prediction ids.
 */
export function requestDigest(request: PredictionRequest): string {
  return hash('sha256', JSON.stringify(request), 'hex');
}

export function clampPoints(raw: number): number {
  return Math.min(MAX_POINTS, Math.max(MIN_POINTS, raw));
}

/** OVER if edge ≥ threshold, UNDER if edge ≤ −threshold, PASS between, NO_LINE without a line. */
export function recommend(edge: number | null, threshold: number): Recommendation {
  if (edge === null) return 'NO_LINE';
  if (edge >= threshold) return 'OVER';
  if (edge <= -threshold) return 'UNDER';
  return 'PASS';
}

/** "models/catboost_v9_x.cbm" or "gs://b/dir/x.onnx" → "catboost_v9_x". */
export function modelVersion(path: string): string {
  const file = basename(path);
  return file.slice(0, file.length - extname(file).length) || file;
}

export interface RowContext {
  messageId: string;
  /** sha256 hex of the payload bytes: part of every prediction_id. */
  payloadDigest: string;
  /** ISO-8601 UTC: Pub/Sub publishTime, or the receive time when the envelope has none. */
  requestPublishedAt: string;
  /** ISO-8601 UTC. */
  createdAt: string;
  request: PredictionRequest;
  line: ChosenLine;
  features: AssembledFeatures;
  featureVersion: string;
  featureQualityScore: number | null;
  edgeThreshold: number;
  buildCommit: string;
}

/** `"name":` for each V9 input, in contract order (built once). */
const SNAPSHOT_KEYS = V9_FEATURE_NAMES.map((name) => `${JSON.stringify(name)}:`);

/** JSON text of one scalar as JSON.stringify writes it inside an object; undefined = key omitted. */
function jsonScalar(value: string | number | null | undefined): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return value === undefined ? undefined : JSON.stringify(value);
}

/**
 * The features_snapshot JSON: the 33 inputs by name (NaN → null) plus their provenance.
 * Written as text directly: the same string as
 * `JSON.stringify({ ...featuresByName(vector), vegas_source, line_provenance, line_value,
 * fs_vegas_points_line, fs_has_vegas_line, feature_version, feature_quality_score })`
 * (rows.test.ts checks), without the two intermediate objects (issue 10: once per push).
 */
export function featuresSnapshot(ctx: Pick<RowContext, 'features' | 'line' | 'featureVersion' | 'featureQualityScore'>): string {
  const vector = ctx.features.vector;
  let json = '{';
  for (let i = 0; i < V9_FEATURE_NAMES.length; i++) {
    const v = vector[V9_FEATURE_INDEX[V9_FEATURE_NAMES[i]!]]!;
    json += `${i === 0 ? '' : ','}${SNAPSHOT_KEYS[i]!}${Number.isFinite(v) ? String(v) : 'null'}`;
  }
  const tail: Array<[string, string | number | null | undefined]> = [
    ['vegas_source', ctx.features.vegasSource],
    ['line_provenance', ctx.line.provenance],
    ['line_value', ctx.line.value],
    ['fs_vegas_points_line', ctx.features.fsVegasPointsLine],
    ['fs_has_vegas_line', ctx.features.fsHasVegasLine],
    ['feature_version', ctx.featureVersion],
    ['feature_quality_score', ctx.featureQualityScore],
  ];
  for (const [key, value] of tail) {
    const text = jsonScalar(value);
    if (text !== undefined) json += `${json.length > 1 ? ',' : ''}"${key}":${text}`;
  }
  return `${json}}`;
}

export function toPredictionRows(ctx: RowContext, predictions: readonly SystemPrediction[]): PredictionRow[] {
  const { request, line, features } = ctx;
  const snapshot = featuresSnapshot(ctx);
  const confidence = confidencePct(ctx.featureQualityScore, features.vector[V9_FEATURE_INDEX.points_std_last_10]);
  const rows: PredictionRow[] = [];
  for (const p of predictions) {
    if (!p.ok || !Number.isFinite(p.value)) continue;
    const info = p.model.predictor;
    const predicted = clampPoints(p.value);
    const edge = edgePoints(predicted, line.value);
    rows.push({
      prediction_id: predictionId(ctx.messageId, ctx.payloadDigest, p.systemId),
      system_id: p.systemId,
      model_role: p.role,
      player_lookup: request.player_lookup,
      game_id: request.game_id,
      game_date: request.game_date,
      predicted_points: predicted,
      raw_prediction: p.value,
      line_value: line.value,
      line_provenance: line.provenance,
      has_prop_line: line.value !== null,
      line_source: request.line_source ?? null,
      line_source_api: request.line_source_api ?? null,
      sportsbook: request.sportsbook ?? null,
      was_line_fallback: request.was_line_fallback ?? null,
      edge,
      recommendation: recommend(edge, ctx.edgeThreshold),
      confidence_pct: confidence,
      vegas_source: features.vegasSource,
      missing_critical_features: [...features.missingCritical],
      defaulted_features: [...features.defaulted],
      features_snapshot: snapshot,
      feature_version: ctx.featureVersion,
      feature_quality_score: ctx.featureQualityScore,
      model_path: info.path,
      model_sha256: info.sha256,
      model_version: modelVersion(info.path),
      model_format: info.format,
      build_commit: ctx.buildCommit,
      message_id: ctx.messageId,
      request_published_at: ctx.requestPublishedAt,
      prediction_run_mode: request.prediction_run_mode ?? null,
      created_at: ctx.createdAt,
    });
  }
  return rows;
}
