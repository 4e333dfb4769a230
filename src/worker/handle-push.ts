/**
 * @module worker/handle-push
 * One Pub/Sub push = one player: decode → feature slate → features → every model → rows → sink →
 * outcome. The route only maps the result to HTTP.
 *
 * Result contract (Pub/Sub acks 102/200/201/202/204 only):
 * - `written`: rows stored and the `written` outcome recorded → 204;
 * - `rejected`: can never succeed (bad envelope/payload, past date, player not in the store, a
 *   message id reused with another payload, a row its table schema refuses) → recorded as a
 *   `rejected` outcome with the raw body, then acknowledged with 200;
 * - anything retryable (feature store, sink or outcome log down, champion not loaded or failing,
 *   a player missing from a slate that is still young) THROWS a retryable PwError → 503 and
 *   Pub/Sub redelivers. Row ids are deterministic, so the redelivery never duplicates rows.
 *
 * Issue 7: the payload's sha256 is stored on the outcome; a message id already recorded with
 * another payload digest is a conflict (PW_ERR_MESSAGE_CONFLICT), recorded under
 * `<id>#conflict-<digest prefix>` so the first message's outcome and rows are never overwritten.
 * Two pushes of one id arriving together: the second waits for the first to settle (the app's
 * MessageGate, worker/message-gate.ts), then decides (same digest → redelivery, other → conflict).
 * Across instances, prediction ids hash the payload digest too, so rows are never overwritten.
 * A body that cannot be decoded, reusing the id of a written message, is recorded apart as well.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config/env.js';
import type { Storage } from '../storage/storage.js';
import type { ModelSet, SystemPrediction } from '../models/model-set.js';
import type { FeatureSlateCache } from '../features/slate-cache.js';
import type { RequestOutcomeRow } from '../storage/tables/request-outcomes.js';
import { isUtf8 } from 'node:buffer';
import { PwError, describeError, isPwError, pwError, type ErrorCode } from '../errors.js';
import { assembleFeatures } from '../features/assemble.js';
import { chooseLine } from '../predictions/line.js';
import { toPredictionRows } from '../predictions/rows.js';
import { slateIsYoung } from '../features/slate-cache.js';
import { bodyDigest, decodePush, type EnvelopeMeta, type PushHeaders } from './envelope.js';
import { directOutcomeLookup, type OutcomeLookup } from './outcome-lookup.js';
import type { MessageGate } from './message-gate.js';
import { todayIn } from './slate-date.js';
import { lineLogger } from './logging.js';
import { addDays } from '../jobs/format.js';

/** raw_message keeps at most this many bytes of a rejected body. */
export const RAW_MESSAGE_LIMIT_BYTES = 64 * 1024;

export type PushConfig = Pick<
  Config,
  'MAX_BODY_BYTES' | 'ALLOW_PAST_DATES' | 'MAX_FUTURE_DAYS' | 'SLATE_TIME_ZONE' | 'RECOMMENDATION_EDGE_THRESHOLD' | 'BUILD_COMMIT' | 'SLATE_YOUNG_SECONDS'
>;

export interface PushDeps {
  config: PushConfig;
  storage: Pick<Storage, 'predictions' | 'outcomes'>;
  modelSet: ModelSet;
  slate: Pick<FeatureSlateCache, 'lookup'>;
  log: FastifyBaseLogger;
  now?: () => Date;
  /** Request headers (an unwrapped push carries its message id there). */
  headers?: PushHeaders;
  /** Stored outcome of a message id (the app passes a batching one); default one query per call. */
  findOutcome?: OutcomeLookup;
  /**
   * One push per message id at a time (the app passes one per process: worker/message-gate.ts).
   * Without it, two pushes of one id arriving together can both pass the conflict check.
   */
  gate?: MessageGate;
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

/**
 * The first RAW_MESSAGE_LIMIT_BYTES of a body for `raw_message`: UTF-8 text when the bytes are
 * valid UTF-8 (a cut inside a multi-byte character backs off to the character boundary),
 * otherwise base64 of the exact bytes with encoding 'base64', so nothing is lost or altered.
 */
export function truncateRaw(raw: Buffer): { text: string; encoding: 'utf8' | 'base64' } {
  const slice = raw.subarray(0, RAW_MESSAGE_LIMIT_BYTES);
  if (isUtf8(slice)) return { text: slice.toString('utf8'), encoding: 'utf8' };
  if (raw.length > RAW_MESSAGE_LIMIT_BYTES) {
    for (let back = 1; back <= 3; back++) {
      const shorter = slice.subarray(0, slice.length - back);
      if (isUtf8(shorter)) return { text: shorter.toString('utf8'), encoding: 'utf8' };
    }
  }
  return { text: slice.toString('base64'), encoding: 'base64' };
}

/** Record a permanent failure (acknowledged, kept with its reason and raw body). */
export async function recordRejection(
  storage: Pick<Storage, 'outcomes'>,
  meta: EnvelopeMeta,
  raw: Buffer,
  reasonCode: ErrorCode,
  reason: string,
  receivedAt: Date,
  recordAs: string = meta.messageId,
): Promise<PushRejected> {
  const kept = truncateRaw(raw);
  const row: RequestOutcomeRow = {
    message_id: recordAs,
    outcome: 'rejected',
    reason_code: reasonCode,
    reason: [reason, ...meta.notes].join('; '),
    player_lookup: meta.playerLookup,
    game_date: meta.gameDate,
    rows_written: 0,
    systems: [],
    failed_systems: [],
    subscription: meta.subscription,
    delivery_attempt: meta.deliveryAttempt,
    raw_message: kept.text,
    received_at: receivedAt.toISOString(),
    payload_digest: meta.payloadDigest,
    raw_message_encoding: kept.encoding,
  };
  await recordOutcome(storage, row);
  return { outcome: 'rejected', messageId: recordAs, reasonCode, reason };
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
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const receivedAt = now();
  const raw = rawBody ?? Buffer.alloc(0);

  // Size first, inside decodePush, before any parsing (issue 7, class 5).
  const decoded = decodePush(raw, { headers: deps.headers ?? {}, maxBytes: config.MAX_BODY_BYTES, receivedAt });
  const { meta } = decoded;
  // Everything from the outcome lookup to the last write runs alone for this message id.
  const settle = () => settlePush(deps, decoded, raw, receivedAt, now);
  return deps.gate ? deps.gate.run(meta.messageId, settle) : settle();
}

/** The stored outcome of `messageId` (read errors are retryable). */
async function priorOutcome(deps: PushDeps, messageId: string): Promise<RequestOutcomeRow | undefined> {
  try {
    return await (deps.findOutcome ?? directOutcomeLookup(deps.storage.outcomes))(messageId);
  } catch (err) {
    if (isPwError(err) && err.retryable) throw err;
    throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, 'request outcome', describeError(err));
  }
}

/** The id a push is recorded under when its message id already belongs to another payload. */
function conflictId(messageId: string, digest: string): string {
  return `${messageId}#conflict-${digest.slice(0, 16)}`;
}

async function settlePush(
  deps: PushDeps,
  decoded: ReturnType<typeof decodePush>,
  raw: Buffer,
  receivedAt: Date,
  now: () => Date,
): Promise<PushResult> {
  const { config, storage, modelSet, slate } = deps;
  const { meta } = decoded;
  // The fields a child logger would bind, passed on each line instead (worker/logging.ts).
  let log = lineLogger(deps.log, { message_id: meta.messageId });
  if (!decoded.ok) {
    log.warn({ reason_code: decoded.code, reason: decoded.reason, bytes: raw.length }, 'push rejected');
    // A bad body reusing the id of a message already written must not replace its outcome.
    const prior = meta.messageId === bodyDigest(raw) ? undefined : await priorOutcome(deps, meta.messageId);
    const digest = meta.payloadDigest ?? bodyDigest(raw);
    const apart = prior?.outcome === 'written' && prior.payload_digest !== digest ? conflictId(meta.messageId, digest) : undefined;
    return recordRejection(storage, meta, raw, decoded.code, decoded.reason, receivedAt, apart);
  }
  if (meta.notes.length > 0) log.warn({ notes: meta.notes }, 'push metadata replaced');

  const request = decoded.request;
  log = lineLogger(deps.log, { message_id: meta.messageId, player_lookup: request.player_lookup, game_date: request.game_date });
  const reject = (code: ErrorCode, reason: string, recordAs?: string) => {
    log.warn({ reason_code: code, reason }, 'push rejected');
    return recordRejection(storage, meta, raw, code, reason, receivedAt, recordAs);
  };

  // A message id already used for another payload: keep the first, record this one apart.
  const prior = await priorOutcome(deps, meta.messageId);
  if (prior && prior.payload_digest && meta.payloadDigest && prior.payload_digest !== meta.payloadDigest) {
    const err = pwError('PW_ERR_MESSAGE_CONFLICT', meta.messageId, prior.payload_digest.slice(0, 16), meta.payloadDigest.slice(0, 16));
    return reject(err.code, err.message, conflictId(meta.messageId, meta.payloadDigest));
  }

  const today = todayIn(config.SLATE_TIME_ZONE, receivedAt);
  if (!config.ALLOW_PAST_DATES && request.game_date < today) {
    const err = pwError('PW_ERR_STALE_MESSAGE', request.game_date, today);
    return reject(err.code, err.message);
  }
  if (request.game_date > addDays(today, config.MAX_FUTURE_DAYS)) {
    const err = pwError('PW_ERR_FUTURE_MESSAGE', request.game_date, config.MAX_FUTURE_DAYS, today);
    return reject(err.code, err.message);
  }

  const champion = modelSet.champion;
  if (!champion) throw pwError('PW_ERR_CHAMPION_NOT_LOADED', 'see GET /models for the load error');

  const found = await slate.lookup(request.game_date, request.player_lookup);
  const featureRow = found.row;
  if (!featureRow) {
    // Work that arrives before its data: retry while the slate may still be filling.
    if (slateIsYoung({ gameDate: request.game_date, today, newestCreatedAt: found.newestCreatedAt, nowMs: receivedAt.getTime(), youngSeconds: config.SLATE_YOUNG_SECONDS })) {
      const age = found.newestCreatedAt === null ? 'empty' : String(Math.round((receivedAt.getTime() - Date.parse(found.newestCreatedAt)) / 1000));
      const err = pwError('PW_ERR_PLAYER_PENDING', request.player_lookup, request.game_date, age);
      log.warn({ reason_code: err.code, slate_newest_created_at: found.newestCreatedAt }, 'player not in the slate yet; retry');
      throw err;
    }
    const err = pwError('PW_ERR_PLAYER_NOT_FOUND', request.player_lookup, request.game_date);
    return reject(err.code, err.message);
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
      payloadDigest: meta.payloadDigest ?? bodyDigest(raw),
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

  /** Writes; a row its schema refuses comes back as that error (the message is then rejected). */
  const writeRows = async (outcome?: RequestOutcomeRow): Promise<PwError | undefined> => {
    try {
      await storage.predictions.write(rows, outcome);
      return undefined;
    } catch (err) {
      if (isPwError(err, 'PW_ERR_ROW_INVALID')) return err;
      if (isPwError(err) && err.retryable) throw err;
      throw new PwError('PW_ERR_SINK_WRITE', { cause: err }, 'prediction rows', describeError(err));
    }
  };

  // The champion failing is retried: the challengers' rows are written now (the retry
  // overwrites them, never duplicates them), but no outcome, and its error is the one reported.
  const championResult = predictions.find((p) => p.systemId === champion.systemId);
  if (!championResult || !championResult.ok) {
    if (rows.length > 0) {
      const invalid = await writeRows();
      if (invalid) return reject(invalid.code, invalid.message);
    }
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
  const notes = [...(failedSystems.length > 0 ? [`${failedSystems.length} system(s) failed; see logs`] : []), ...meta.notes];
  const invalid = await writeRows({
    message_id: meta.messageId,
    outcome: 'written',
    reason_code: null,
    reason: notes.length > 0 ? notes.join('; ') : null,
    player_lookup: request.player_lookup,
    game_date: request.game_date,
    rows_written: rows.length,
    systems,
    failed_systems: failedSystems,
    subscription: meta.subscription,
    delivery_attempt: meta.deliveryAttempt,
    raw_message: null,
    received_at: receivedAt.toISOString(),
    payload_digest: meta.payloadDigest,
    raw_message_encoding: null,
  });
  if (invalid) return reject(invalid.code, invalid.message);
  log.info({ rows_written: rows.length, failed_systems: failedSystems, line_provenance: line.provenance, vegas_source: features.vegasSource }, 'prediction written');
  return { outcome: 'written', messageId: meta.messageId, rowsWritten: rows.length, systems, failedSystems };
}
