/**
 * Test helpers for the model layer: tiny CatBoost JSON models built in code (so the tests need
 * no external fixture), an in-memory `ObjectSource` standing in for Cloud Storage, and a logger
 * that records calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { skipWithout } from '../helpers/machine.js';
import { PwError } from '../../src/errors.js';
import type { ObjectSource, ObjectVersion } from '../../src/models/model-store.js';
import type { RegistryEntryInput } from '../../config/registry.js';

export const SHARED_FIXTURES = join(import.meta.dirname, '../../../shared/fixtures');
export const SHARED_V9 = join(SHARED_FIXTURES, 'v9-models');
/**
 * Whether the shared V9 models (outside the clone) are here, under the machine-dependent rule
 * (test/helpers/machine.ts): false (one stderr line) when absent, throws when absent with
 * PW_FULL_SUITE=1. Call it only in a test file that uses them.
 */
export const haveSharedV9 = (): boolean => !skipWithout('the shared V9 models', existsSync(SHARED_V9), `${SHARED_V9}, ../shared/fixtures/v9-models next to the clone`);
export const PROJECT_MODEL_FIXTURES = join(import.meta.dirname, '../fixtures/models');

export interface TinyModelSpec {
  featureNames: readonly string[];
  bias: number;
  /** Each tree: one split on feature `feature` at `border`; leaves [below-or-equal, above]. */
  trees?: Array<{ feature: number; leaves: [number, number] }>;
  /** Training loss recorded in model_info.params (default 'RMSE'; null = no metadata at all). */
  loss?: string | null;
}

/**
 * A CatBoost JSON export with one border per used feature. Prediction of a row is
 * bias + Σ (row[feature] > border ? leaves[1] : leaves[0]) with border 0.5: trivial to
 * compute by hand in a test.
 */
export function tinyCatBoostJson(spec: TinyModelSpec): string {
  const trees = spec.trees ?? [];
  const usedFeatures = [...new Set(trees.map((t) => t.feature))].sort((a, b) => a - b);
  const splitIndexOf = new Map(usedFeatures.map((f, i) => [f, i]));
  return JSON.stringify({
    features_info: {
      float_features: spec.featureNames.map((name, i) => ({
        borders: splitIndexOf.has(i) ? [0.5] : [],
        feature_index: i,
        flat_feature_index: i,
        has_nans: false,
        nan_value_treatment: 'AsIs',
        feature_id: name,
      })),
    },
    oblivious_trees: trees.map((t) => ({
      leaf_values: t.leaves,
      splits: [{ border: 0.5, float_feature_index: t.feature, split_index: splitIndexOf.get(t.feature)!, split_type: 'FloatFeature' }],
    })),
    scale_and_bias: [1, [spec.bias]],
    ...(spec.loss === null ? {} : { model_info: { params: { loss_function: { type: spec.loss ?? 'RMSE', params: {} } } } }),
  });
}

/** The value `tinyCatBoostJson(spec)` must predict for `row` (NaN compares false → left leaf). */
export function tinyExpected(spec: TinyModelSpec, row: ArrayLike<number>): number {
  let sum = 0;
  for (const t of spec.trees ?? []) sum += Math.fround(row[t.feature]!) > Math.fround(0.5) ? t.leaves[1] : t.leaves[0];
  return sum + spec.bias;
}

/** A fresh temp dir, removed by the returned cleanup. */
export function tempDir(prefix = 'pw-models-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** In-memory Cloud Storage: objects with generations; counts stats and downloads. */
export class FakeObjects implements ObjectSource {
  private readonly objects = new Map<string, { bytes: Uint8Array; generation: number }>();
  private nextGeneration = 1000;
  stats = 0;
  downloads = 0;
  /** When set, every call rejects like a network failure. */
  offline = false;
  /** Resolve downloads only after this promise (to hold concurrent fetches open). */
  gate: Promise<void> | undefined;

  put(bucket: string, object: string, bytes: Uint8Array): void {
    this.objects.set(`${bucket}/${object}`, { bytes, generation: this.nextGeneration++ });
  }

  async stat(bucket: string, object: string): Promise<ObjectVersion> {
    this.stats++;
    if (this.offline) throw new PwError('PW_ERR_MODEL_FETCH', undefined, `gs://${bucket}/${object}`, 'connect ECONNREFUSED');
    const o = this.objects.get(`${bucket}/${object}`);
    if (!o) throw new PwError('PW_ERR_MODEL_NOT_FOUND', undefined, `gs://${bucket}/${object}`);
    return { generation: String(o.generation), sizeBytes: o.bytes.byteLength };
  }

  async download(bucket: string, object: string, version: ObjectVersion, destination: string): Promise<void> {
    this.downloads++;
    if (this.gate) await this.gate;
    if (this.offline) throw new PwError('PW_ERR_MODEL_FETCH', undefined, `gs://${bucket}/${object}`, 'socket hang up');
    const o = this.objects.get(`${bucket}/${object}`);
    if (!o || String(o.generation) !== version.generation) throw new PwError('PW_ERR_MODEL_NOT_FOUND', undefined, `gs://${bucket}/${object}`);
    const { writeFile } = await import('node:fs/promises');
    await writeFile(destination, o.bytes);
  }
}

export interface LogCall {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

/** A logger with pino's (object, message) call shape that records every call. */
export function recordingLogger(): { calls: LogCall[]; info: (o: object, m: string) => void; warn: (o: object, m: string) => void; error: (o: object, m: string) => void } {
  const calls: LogCall[] = [];
  const at = (level: LogCall['level']) => (obj: object, msg: string) => calls.push({ level, obj: obj as Record<string, unknown>, msg });
  return { calls, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A valid MONTHLY_MODELS entry for `modelPath` (test values), with overrides. */
export function registryEntry(modelPath: string, o: Partial<RegistryEntryInput> = {}): RegistryEntryInput {
  return {
    model_path: modelPath,
    train_start: '2025-11-02',
    train_end: '2026-01-31',
    backtest_mae: 4.8,
    backtest_hit_rate_all: 55,
    backtest_hit_rate_edge_3plus: 60,
    backtest_n_edge_3plus: 100,
    enabled: true,
    description: `model at ${modelPath}`,
    ...o,
  };
}
