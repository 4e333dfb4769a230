/**
 * @module models/model-set
 * The champion (`catboost_v9`, from CATBOOST_V9_MODEL_PATH) plus every enabled MONTHLY_MODELS
 * entry, each isolated: a challenger that fails to load is reported and skipped, a challenger
 * that throws at predict time fails alone. (Implementation: `createModelSet` in model-set-loader.ts.)
 */
import type { Predictor } from './predictor.js';
import type { ModelRole } from '../storage/tables/player-prop-predictions.js';

export interface LoadedModel {
  systemId: string;
  role: ModelRole;
  predictor: Predictor;
  /** ISO time the model finished loading. */
  loadedAt: string;
}

/** One configured model as /models reports it. */
export interface ModelStatus {
  systemId: string;
  role: ModelRole;
  enabled: boolean;
  state: 'loaded' | 'failed' | 'disabled';
  /** One-line reason when state is 'failed'. */
  error?: string;
  errorCode?: string;
  path: string;
  featureSet: string;
  sha256?: string;
  declaredSha256?: string;
  format?: string;
  engine?: string;
  treeCount?: number;
  featureCount?: number;
  /** Training loss from the model's metadata and the transform predict() applies (issue 7). */
  loss?: string;
  predictionType?: string;
  loadedAt?: string;
  loadMs?: number;
  description?: string;
  trainStart?: string;
  trainEnd?: string;
}

export type SystemPrediction =
  | { systemId: string; role: ModelRole; ok: true; value: number; model: LoadedModel }
  | { systemId: string; role: ModelRole; ok: false; error: Error; model: LoadedModel };

export interface ModelSet {
  /** The loaded champion, or undefined when it failed (the worker is then not ready). */
  readonly champion: LoadedModel | undefined;
  /** Champion first, then challengers in registry order; only loaded ones. */
  readonly loaded: readonly LoadedModel[];
  /** Every configured model (disabled entries included) with its load state. */
  status(): ModelStatus[];
  /**
   * Run every loaded model on one row of V9 features (contract order, NaN = missing).
   * Never throws for a single model's failure: that model's entry has ok=false.
   */
  predictAll(features: Float64Array): Promise<SystemPrediction[]>;
  close(): Promise<void>;
}
