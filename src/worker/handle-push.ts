/**
 * @module worker/handle-push
 * One Pub/Sub push = one player: decode → feature slate → features → every model → rows → sink →
 * outcome. The route only maps the result to HTTP.
 *
 * Result contract (Pub/Sub acks 102/200/201/202/204 only):
 * - `written`: rows stored and the `written` outcome recorded → 204;
 * - `rejected`: can never succeed (bad envelope/payload, past date, player not in the store) →
 *   recorded as a `rejected` outcome with the raw body, then acknowledged with 200;
 * - anything retryable (feature store, sink or outcome log down, champion not loaded or failing)
 *   THROWS a retryable PwError → 503 and Pub/Sub redelivers. Row ids are deterministic, so the
 *   redelivery never duplicates rows.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config/env.js';
import type { Storage } from '../storage/storage.js';
import type { ModelSet, SystemPrediction } from '../models/model-set.js';
import type { FeatureSlateCache } from '../features/slate-cache.js';
import type { RequestOutcomeRow } from '../storage/tables/request-outcomes.js';
import { PwError, describeError, isPwError, pwError, type ErrorCode } from '../errors.js';
import { assembleFeatures } from '../features/assemble.js';
import { chooseLine } from '../predictions/line.js';
import { toPredictionRows } from '../predictions/rows.js';
import { decodePush, type EnvelopeMeta } from './envelope.js';
import { todayIn } from './slate-date.js';

/** raw_message keeps at most this many bytes of a rejected body. */
export const RAW_MESSAGE_LIMIT_BYTES = 64 * 1024;

export type PushConfig = Pick<
  Config,
  'MAX_BODY_BYTES' | 'ALLOW_PAST_DATES' | 'SLATE_TIME_ZONE' | 'RECOMMENDATION_EDGE_THRESHOLD' | 'BUILD_COMMIT'
>;

export interface PushDeps {
  config: PushConfig;
  storage: Pick<Storage, 'predictions' | 'outcomes'>;
  modelSet: ModelSet;
  slate: Pick<FeatureSlateCache, 'get'>;
  log: FastifyBaseLogger;
  now?: () => Date;
}

export interface PushWritten {
  outcome: 'written';
  messageId: string;
  rowsWritten: number;
  systems: string[];
  failedSystems: string[];
}
export interface PushRejected {
  outcome: 'rejected';
  messageId: string;
  reasonCode: ErrorCode;
  reason: string;
}
export type PushResult = PushWritten | PushRejected;

export function truncateRaw(raw: Buffer): string {
  return raw.subarray(0, RAW_MESSAGE_LIMIT_BYTES).toString('utf8');
}

/** Record a permanent failure (acknowledged, kept with its reason and raw body). */
export async function recordRejection(
  storage: Pick<Storage, 'outcomes'>,
  meta: EnvelopeMeta,
  raw: Buffer,
  reasonCode: ErrorCode,
  reason: string,
  receivedAt: Date,
): Promise<PushRejected> {
  const row: RequestOutcomeRow = {
    message_id: meta.messageId,
    outcome: 'rejected',
    reason_code: reasonCode,
    reason,
    player_lookup: meta.playerLookup,
    game_date: meta.gameDate,
    rows_written: 0,
    systems: [],
    failed_systems: [],
    subscription: meta.subscription,
    delivery_attempt: meta.deliveryAttempt,
    raw_message: truncateRaw(raw),
    received_at: receivedAt.toISOString(),
  };
  await recordOutcome(storage, row);
  return { outcome: 'rejected', messageId: meta.messageId, reasonCode, reason };
}

async function recordOutcome(storage: Pick<Storage, 'outcomes'>, row: RequestOutcomeRow): Promise<void> {
  try {
    await storage.outcomes.record(row);
  } catch (err) {
    // Without the outcome the message would be lost or unaccounted for: let Pub/Sub retry.
    if (isPwError(err) && err.retryable) throw err;
    throw new PwError('PW_ERR_SINK_WRITE', { cause: err }, 'request outcome', describeError(err));
  }
}

function failedSystemsOf(predictions: readonly SystemPrediction[]): string[] {
  return predictions.filter((p) => !p.ok).map((p) => p.systemId);
}

export async function handlePush(deps: PushDeps, rawBody: Buffer | undefined): Promise<PushResult> {
  const { config, storage, modelSet, slate } = deps;
  const now = deps.now ?? (() => new Date());
  const receivedAt = now();
  const raw = rawBody ?? Buffer.alloc(0);

  const decoded = decodePush(raw);
  const { meta } = decoded;
  let log = deps.log.child({ message_id: meta.messageId });
  if (raw.length > config.MAX_BODY_BYTES) {
    const reason = `body of ${raw.length} bytes exceeds MAX_BODY_BYTES (${config.MAX_BODY_BYTES})`;
    log.warn({ reason_code: 'PW_ERR_ENVELOPE', bytes: raw.length }, 'push rejected');
    return recordRejection(storage, meta, raw, 'PW_ERR_ENVELOPE', reason, receivedAt);
  }
  if (!decoded.ok) {
    log.warn({ reason_code: decoded.code, reason: decoded.reason }, 'push rejected');
    return recordRejection(storage, meta, raw, decoded.code, decoded.reason, receivedAt);
  }

  const request = decoded.request;
  log = log.child({ player_lookup: request.player_lookup, game_date: request.game_date });
  const today = todayIn(config.SLATE_TIME_ZONE, receivedAt);
  if (!config.ALLOW_PAST_DATES && request.game_date < today) {
    const err = pwError('PW_ERR_STALE_MESSAGE', request.game_date, today);
    log.warn({ reason_code: err.code }, 'push rejected');
    return recordRejection(storage, meta, raw, err.code, err.message, receivedAt);
  }

  const champion = modelSet.champion;
  if (!champion) throw pwError('PW_ERR_CHAMPION_NOT_LOADED', 'see GET /models for the load error');

  const featureRow = await slate.get(request.game_date, request.player_lookup);
  if (!featureRow) {
    const err = pwError('PW_ERR_PLAYER_NOT_FOUND', request.player_lookup, request.game_date);
    log.warn({ reason_code: err.code }, 'push rejected');
    return recordRejection(storage, meta, raw, err.code, err.message, receivedAt);
  }

  const line = chooseLine(request);
  const features = assembleFeatures(featureRow, line.value);
  if (featureRow.game_id !== request.game_id) {
    features.notes.push(`request game_id ${request.game_id} differs from the feature store's ${featureRow.game_id}`);
  }
  // A player without any book line has no Vegas features by nature: the row is flagged, but that
  // is the normal NO_LINE case, not worth a warning per player.
  const onlyNoLineVegas =
    line.value === null && features.notes.length === 0 && features.missingCritical.every((f) => f === 'vegas_points_line');
  if (features.notes.length > 0 || (features.missingCritical.length > 0 && !onlyNoLineVegas)) {
    log.warn(
      { notes: features.notes, missing_critical_features: features.missingCritical, defaulted_features: features.defaulted },
      'features incomplete',
    );
  }

  const predictions = await modelSet.predictAll(features.vector);
  for (const p of predictions) {
    if (!p.ok) log.error({ system_id: p.systemId, role: p.role, err: p.error }, 'model failed for this message');
  }

  const createdAt = now().toISOString();
  const rows = toPredictionRows(
    {
      messageId: meta.messageId,
      requestPublishedAt: meta.publishedAt ?? receivedAt.toISOString(),
      createdAt,
      request,
      line,
      features,
      featureVersion: featureRow.feature_version,
      featureQualityScore: featureRow.feature_quality_score,
      edgeThreshold: config.RECOMMENDATION_EDGE_THRESHOLD,
      buildCommit: config.BUILD_COMMIT,
    },
    predictions,
  );

  const writeRows = async (outcome?: RequestOutcomeRow) => {
    try {
      await storage.predictions.write(rows, outcome);
    } catch (err) {
      if (isPwError(err) && err.retryable) throw err;
      throw new PwError('PW_ERR_SINK_WRITE', { cause: err }, 'prediction rows', describeError(err));
    }
  };

  // The champion failing is retried: the challengers' rows are written now (the retry
  // overwrites them, never duplicates them), but no outcome, and its error is the one reported.
  const championResult = predictions.find((p) => p.systemId === champion.systemId);
  if (!championResult || !championResult.ok) {
    if (rows.length > 0) await writeRows();
    const reason = championResult && !championResult.ok ? describeError(championResult.error) : 'no result';
    throw new PwError(
      'PW_ERR_CHAMPION_FAILED',
      { cause: championResult && !championResult.ok ? championResult.error : undefined },
      champion.systemId,
      meta.messageId,
      reason,
    );
  }

  // Rows and their `written` outcome in one write: one commit cycle for the request, and the
  // outcome is never stored without the rows it describes.
  const systems = rows.map((r) => r.system_id);
  const failedSystems = failedSystemsOf(predictions);
  await writeRows({
    message_id: meta.messageId,
    outcome: 'written',
    reason_code: null,
    reason: failedSystems.length > 0 ? `${failedSystems.length} system(s) failed; see logs` : null,
    player_lookup: request.player_lookup,
    game_date: request.game_date,
    rows_written: rows.length,
    systems,
    failed_systems: failedSystems,
    subscription: meta.subscription,
    delivery_attempt: meta.deliveryAttempt,
    raw_message: null,
    received_at: receivedAt.toISOString(),
  });
  log.info({ rows_written: rows.length, failed_systems: failedSystems, line_provenance: line.provenance, vegas_source: features.vegasSource }, 'prediction written');
  return { outcome: 'written', messageId: meta.messageId, rowsWritten: rows.length, systems, failedSystems };
}
