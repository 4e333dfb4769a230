/**
 * @module models/model-set-loader
 * `createModelSet`: loads the champion (`catboost_v9`, CATBOOST_V9_MODEL_PATH) and every ENABLED
 * registry entry in parallel, each isolated (see model-set.ts for the contract).
 *
 * What the original got wrong and this makes loud instead (original-system.md §2, §10):
 * - a challenger that failed to load was skipped with a log line nobody saw (10.9, 10.12): here
 *   it is logged at error level with system_id, path and code, and /models reports it 'failed';
 * - status filters silently dropped models (10.12): `enabled` alone decides, disabled entries are
 *   listed as 'disabled' and never fetched;
 * - readiness ignored the real model (10.22): `champion` is undefined when it failed, so the
 *   worker is not ready;
 * - a model whose features differ from its declared set was served (10.21): refused at load.
 * One file used by two entries is fetched once (ModelStore shares in-flight fetches).
 */
import { performance } from 'node:perf_hooks';
import { CHAMPION_SYSTEM_ID, type Registry } from '../../config/registry.js';
import { describeError, isPwError, pwError } from '../errors.js';
import { implausiblePrediction } from '../predictions/plausible.js';
import { FEATURE_SETS, type FeatureSetName } from '../features/contract.js';
import type { ModelRole } from '../storage/tables/player-prop-predictions.js';
import { loadPredictor, type EngineChoice } from './load-predictor.js';
import type { LoadedModel, ModelSet, ModelStatus, SystemPrediction } from './model-set.js';
import type { ModelStore } from './model-store.js';
import type { Predictor } from './predictor.js';

/** The logger calls the loader makes (pino's object-first shape; a pino Logger fits). */
export interface ModelSetLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CreateModelSetOptions {
  championPath: string;
  championSha256?: string | undefined;
  registry: Registry;
  store: ModelStore;
  /** MODEL_ENGINE: applies to .cbm/.json files; .onnx files always run on ONNX Runtime. */
  engine: EngineChoice;
  logger: ModelSetLogger;
  /**
   * Refuse a gs:// model (champion or challenger) without a declared sha256 (true outside the
   * explicit local mode, i.e. unless PUSH_AUTH=off): an unpinned remote file can change under the
   * same name, or arrive damaged, without anyone noticing (issue 7, class 3).
   */
  requireSha256ForRemote?: boolean;
  now?: () => Date;
}

/** One configured model before loading. */
interface ModelSlot {
  systemId: string;
  role: ModelRole;
  enabled: boolean;
  path: string;
  featureSet: FeatureSetName;
  declaredSha256?: string | undefined;
  description?: string;
  trainStart?: string;
  trainEnd?: string;
}

type SlotOutcome =
  | { slot: ModelSlot; state: 'disabled' }
  | { slot: ModelSlot; state: 'loaded'; model: LoadedModel }
  | { slot: ModelSlot; state: 'failed'; error: string; errorCode?: string };

function slotsFrom(options: CreateModelSetOptions): ModelSlot[] {
  const champion: ModelSlot = {
    systemId: CHAMPION_SYSTEM_ID,
    role: 'champion',
    enabled: true,
    path: options.championPath,
    featureSet: 'v9',
    declaredSha256: options.championSha256,
    description: 'Champion (CATBOOST_V9_MODEL_PATH)',
  };
  const challengers = Object.entries(options.registry).map(
    ([systemId, entry]): ModelSlot => ({
      systemId,
      role: 'challenger',
      enabled: entry.enabled,
      path: entry.model_path,
      featureSet: entry.feature_set,
      declaredSha256: entry.sha256,
      description: entry.description,
      trainStart: entry.train_start,
      trainEnd: entry.train_end,
    }),
  );
  return [champion, ...challengers];
}

/** .onnx always runs on ONNX Runtime; MODEL_ENGINE chooses for the CatBoost formats. */
function engineForSlot(path: string, configured: EngineChoice): EngineChoice {
  return /\.onnx$/i.test(path) ? 'auto' : configured;
}

async function loadSlot(slot: ModelSlot, options: CreateModelSetOptions): Promise<SlotOutcome> {
  if (!slot.enabled) return { slot, state: 'disabled' };
  const log = options.logger;
  const started = performance.now();
  let predictor: Predictor;
  try {
    if (options.requireSha256ForRemote && /^gs:\/\//i.test(slot.path) && !slot.declaredSha256) {
      throw pwError(
        'PW_ERR_MODEL_UNVERIFIED',
        slot.path,
        slot.role === 'champion' ? 'gs:// champion without CATBOOST_V9_MODEL_SHA256' : `gs:// model without a registry sha256 (entry ${slot.systemId})`,
      );
    }
    predictor = await loadPredictor({
      path: slot.path,
      expectedSha256: slot.declaredSha256,
      featureSet: FEATURE_SETS[slot.featureSet],
      engine: engineForSlot(slot.path, options.engine),
      store: options.store,
    });
  } catch (err) {
    const error = describeError(err);
    const errorCode = isPwError(err) ? err.code : undefined;
    // Loud on purpose: a silently skipped challenger produced zero rows for days (10.9).
    log.error(
      { system_id: slot.systemId, role: slot.role, path: slot.path, code: errorCode ?? 'UNKNOWN', err },
      slot.role === 'champion' ? 'champion model failed to load' : 'challenger model failed to load',
    );
    return { slot, state: 'failed', error, ...(errorCode ? { errorCode } : {}) };
  }
  const loadedAt = (options.now ?? (() => new Date()))().toISOString();
  log.info(
    {
      system_id: slot.systemId,
      role: slot.role,
      path: slot.path,
      sha256: predictor.sha256,
      engine: predictor.engine,
      format: predictor.format,
      feature_count: predictor.featureNames.length,
      tree_count: predictor.treeCount,
      load_ms: Math.round(predictor.loadMs * 10) / 10,
      total_ms: Math.round((performance.now() - started) * 10) / 10,
    },
    'model loaded',
  );
  return { slot, state: 'loaded', model: { systemId: slot.systemId, role: slot.role, predictor, loadedAt } };
}

function statusOf(outcome: SlotOutcome): ModelStatus {
  const { slot } = outcome;
  const base: ModelStatus = {
    systemId: slot.systemId,
    role: slot.role,
    enabled: slot.enabled,
    state: outcome.state,
    path: slot.path,
    featureSet: slot.featureSet,
    ...(slot.declaredSha256 ? { declaredSha256: slot.declaredSha256 } : {}),
    ...(slot.description !== undefined ? { description: slot.description } : {}),
    ...(slot.trainStart ? { trainStart: slot.trainStart } : {}),
    ...(slot.trainEnd ? { trainEnd: slot.trainEnd } : {}),
  };
  if (outcome.state === 'failed') {
    return { ...base, error: outcome.error, ...(outcome.errorCode ? { errorCode: outcome.errorCode } : {}) };
  }
  if (outcome.state === 'loaded') {
    const p = outcome.model.predictor;
    return {
      ...base,
      sha256: p.sha256,
      format: p.format,
      engine: p.engine,
      treeCount: p.treeCount,
      featureCount: p.featureNames.length,
      loss: p.loss,
      predictionType: p.predictionType,
      loadedAt: outcome.model.loadedAt,
      loadMs: p.loadMs,
    };
  }
  return base;
}

export async function createModelSet(options: CreateModelSetOptions): Promise<ModelSet> {
  const slots = slotsFrom(options);
  for (const slot of slots) {
    if (!slot.enabled) options.logger.info({ system_id: slot.systemId, path: slot.path }, 'model disabled in registry; not loaded');
  }
  const settled = await Promise.allSettled(slots.map((slot) => loadSlot(slot, options)));
  const outcomes: SlotOutcome[] = settled.map((r, i) =>
    // loadSlot catches its own errors; a rejection here would be a bug, still reported per model.
    r.status === 'fulfilled' ? r.value : { slot: slots[i]!, state: 'failed', error: describeError(r.reason) },
  );

  const loaded: LoadedModel[] = outcomes.flatMap((o) => (o.state === 'loaded' ? [o.model] : []));
  const champion = loaded.find((m) => m.role === 'champion');
  let closed = false;

  return {
    champion,
    loaded,
    status: () => outcomes.map(statusOf),
    async predictAll(features: Float64Array): Promise<SystemPrediction[]> {
      // Every registry feature set is v9 today, so the row is in each model's column order
      // (checked at load by featureSetMismatch).
      return Promise.all(
        loaded.map(async (model): Promise<SystemPrediction> => {
          try {
            const out = await model.predictor.predict(features, 1);
            const value = out[0];
            if (value === undefined) throw pwError('PW_ERR_MODEL_OUTPUT', model.predictor.path, 'no value returned');
            // Outside the plausible points range = this model failing for this message (the
            // champion failing → 503, never a stored row): issue 7, class 3.
            const problem = implausiblePrediction(value);
            if (problem) throw pwError('PW_ERR_MODEL_OUTPUT', model.predictor.path, problem);
            return { systemId: model.systemId, role: model.role, ok: true, value, model };
          } catch (err) {
            return { systemId: model.systemId, role: model.role, ok: false, error: err instanceof Error ? err : new Error(String(err)), model };
          }
        }),
      );
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await Promise.allSettled(loaded.map((m) => m.predictor.close()));
    },
  };
}
