/**
 * @module features/assemble
 * Builds the 33-value V9 input vector for one player from a feature-store row, by NAME (never by
 * position), then applies the one Vegas-override rule with the request's line. Pure.
 *
 * Rules (docs/worker.md "Feature vector"):
 * - a store value is used when its name is a V9 name and the value is finite;
 * - missing NULLABLE_FEATURES reach the model as NaN (as in training);
 * - any other missing feature takes its FEATURE_DEFAULTS value and is listed in `defaulted`;
 * - CRITICAL_FEATURES that were missing or defaulted are listed in `missingCritical`
 *   (vegas_points_line only when neither the request nor the store has a line);
 * - duplicate, unknown or non-finite store entries and length mismatches are listed in `notes`.
 */
import {
  CRITICAL_FEATURES,
  FEATURE_DEFAULTS,
  NULLABLE_FEATURES,
  V9_FEATURE_INDEX,
  V9_FEATURE_NAMES,
  isV9FeatureName,
  type V9FeatureName,
} from './contract.js';
import type { VEGAS_SOURCES } from '../storage/tables/player-prop-predictions.js';

export type VegasSource = (typeof VEGAS_SOURCES)[number];

export interface StoreFeatures {
  feature_names: readonly string[];
  features: readonly number[];
}

export interface AssembledFeatures {
  /** V9 contract order; NaN = missing (nullable features only). */
  vector: Float64Array;
  vegasSource: VegasSource;
  /** The store's own vegas_points_line / has_vegas_line before the override (null = absent). */
  fsVegasPointsLine: number | null;
  fsHasVegasLine: number | null;
  defaulted: V9FeatureName[];
  missingCritical: V9FeatureName[];
  notes: string[];
}

const VEGAS_BLOCK = ['vegas_points_line', 'vegas_opening_line', 'vegas_line_move', 'has_vegas_line'] as const;
const VEGAS_NAMES: ReadonlySet<string> = new Set(VEGAS_BLOCK);
const MAX_LISTED_UNKNOWN = 10;

/** Read the store's parallel arrays into a name → value map, noting every irregularity. */
export function readStoreFeatures(row: StoreFeatures, notes: string[]): Map<V9FeatureName, number> {
  const names = row.feature_names;
  const values = row.features;
  if (names.length !== values.length) {
    notes.push(`feature_names has ${names.length} entries, features has ${values.length}; the extra entries were ignored`);
  }
  const n = Math.min(names.length, values.length);
  const byName = new Map<V9FeatureName, number>();
  const unknown: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = names[i]!;
    const value = values[i];
    if (!isV9FeatureName(name)) {
      unknown.push(name);
      continue;
    }
    if (byName.has(name)) {
      notes.push(`duplicate feature '${name}' at position ${i}; the first value was kept`);
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      notes.push(`feature '${name}' is not a finite number (${String(value)}); treated as missing`);
      continue;
    }
    byName.set(name, value);
  }
  if (unknown.length > 0) {
    const listed = unknown.slice(0, MAX_LISTED_UNKNOWN).join(', ');
    const more = unknown.length > MAX_LISTED_UNKNOWN ? ` and ${unknown.length - MAX_LISTED_UNKNOWN} more` : '';
    notes.push(`${unknown.length} store feature(s) not in the V9 set were ignored: ${listed}${more}`);
  }
  return byName;
}

/**
 * The Vegas override, one rule (original §1.7 had four paths and fabricated the opening line):
 * - request line → vegas_points_line = line, vegas_opening_line kept from the store,
 *   vegas_line_move = line − opening (NaN when the opening is unknown), has_vegas_line = 1;
 * - else the store has vegas_points_line → store values kept, has_vegas_line = 1;
 * - else vegas_points_line/opening/move NaN, has_vegas_line = 0.
 */
export function vegasBlock(store: ReadonlyMap<V9FeatureName, number>, line: number | null): { values: Record<(typeof VEGAS_BLOCK)[number], number>; source: VegasSource } {
  const opening = store.get('vegas_opening_line') ?? NaN;
  if (line !== null && Number.isFinite(line)) {
    return {
      source: 'request_line',
      values: {
        vegas_points_line: line,
        vegas_opening_line: opening,
        vegas_line_move: Number.isFinite(opening) ? line - opening : NaN,
        has_vegas_line: 1,
      },
    };
  }
  const storeLine = store.get('vegas_points_line');
  if (storeLine !== undefined) {
    return {
      source: 'feature_store',
      values: {
        vegas_points_line: storeLine,
        vegas_opening_line: opening,
        vegas_line_move: store.get('vegas_line_move') ?? NaN,
        has_vegas_line: 1,
      },
    };
  }
  return {
    source: 'none',
    values: { vegas_points_line: NaN, vegas_opening_line: NaN, vegas_line_move: NaN, has_vegas_line: 0 },
  };
}

export function assembleFeatures(row: StoreFeatures, line: number | null): AssembledFeatures {
  const notes: string[] = [];
  const store = readStoreFeatures(row, notes);
  const vegas = vegasBlock(store, line);
  const vector = new Float64Array(V9_FEATURE_NAMES.length);
  const defaulted: V9FeatureName[] = [];
  const missingCritical: V9FeatureName[] = [];

  for (const name of V9_FEATURE_NAMES) {
    const index = V9_FEATURE_INDEX[name];
    if (VEGAS_NAMES.has(name)) {
      vector[index] = vegas.values[name as (typeof VEGAS_BLOCK)[number]];
      continue;
    }
    const value = store.get(name);
    if (value !== undefined) {
      vector[index] = value;
    } else if (NULLABLE_FEATURES.has(name)) {
      vector[index] = NaN;
    } else {
      vector[index] = FEATURE_DEFAULTS[name as keyof typeof FEATURE_DEFAULTS];
      defaulted.push(name);
      if (CRITICAL_FEATURES.has(name)) missingCritical.push(name);
    }
  }
  if (vegas.source === 'none') missingCritical.push('vegas_points_line');

  return {
    vector,
    vegasSource: vegas.source,
    fsVegasPointsLine: store.get('vegas_points_line') ?? null,
    fsHasVegasLine: store.get('has_vegas_line') ?? null,
    defaulted,
    missingCritical,
    notes,
  };
}

/** The vector by name, NaN → null: the features_snapshot body. */
export function featuresByName(vector: Float64Array): Record<V9FeatureName, number | null> {
  const out = {} as Record<V9FeatureName, number | null>;
  for (const name of V9_FEATURE_NAMES) {
    const v = vector[V9_FEATURE_INDEX[name]]!;
    out[name] = Number.isFinite(v) ? v : null;
  }
  return out;
}
