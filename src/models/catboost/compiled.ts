/**
 * @module models/catboost/compiled
 * Model-specialised oblivious-tree evaluator: at load, JavaScript source is generated for the
 * model (every border a numeric literal, every leaf offset a constant) and compiled with
 * `new Function`, in chunks of trees, because V8 does not optimise very large functions.
 *
 * Semantics are the interpreter's (evaluator.ts), to the bit:
 *   - each used feature's value is rounded to float32 and, for HasNans features, NaN is
 *     replaced by -inf (AsFalse) or +inf (AsTrue), once per row, into a small Float64Array;
 *   - a split is `x > border` on those doubles (float32 values held exactly, so the double
 *     comparison is the float32 comparison); a NaN left as is compares false (AsIs);
 *   - a tree's leaf index is Σ bit(split_j) << j; leaf values are added to a running double sum
 *     that starts at 0.0 and goes through the trees in model order — the running sum is passed
 *     from chunk to chunk, never summed per chunk, so the additions are exactly the same;
 *   - raw = scale * sum + bias.
 */
import { type ObliviousModel } from './model.js';

/** Trees per generated function: small enough for TurboFan to optimise, large enough to amortise calls. */
export const TREES_PER_CHUNK = 48;

/** One generated chunk: adds its trees' leaves to sums[0..n-1] for the n rows of `values`. */
type ChunkFn = (values: Float64Array, sums: Float64Array, n: number, leaves: Float64Array) => void;

export interface CompiledTrees {
  /** Used features (≥ 1 border): input column and what a NaN becomes (NaN itself for AsIs). */
  readonly usedColumn: Int32Array;
  readonly usedNanValue: Float64Array;
  readonly chunks: readonly ChunkFn[];
  readonly leafValues: Float64Array;
  /** Generated source length (diagnostics, benches). */
  readonly sourceChars: number;
}

/** A double as JavaScript source that evaluates to exactly that double. */
function literal(x: number): string {
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  // String() of a finite double is the shortest decimal that round-trips to the same double.
  return String(x);
}

/**
 * Generates and compiles the chunk functions. The source contains only numbers produced here
 * (borders, offsets, counts) and fixed identifiers — never a string from the model file — so
 * `new Function` runs nothing a model author wrote.
 */
export function compileTrees(model: ObliviousModel, treesPerChunk = TREES_PER_CHUNK): CompiledTrees {
  // Binary feature k → (slot of its feature among the used ones, border value).
  const binarySlot: number[] = [];
  const binaryBorder: number[] = [];
  const usedColumn: number[] = [];
  const usedNanValue: number[] = [];
  for (const feature of model.floatFeatures) {
    const count = feature.borders.length;
    if (count === 0) continue;
    const slot = usedColumn.length;
    usedColumn.push(feature.index);
    // quantization.h: the treatment applies only to features that had NaNs (HasNans).
    const treatment = feature.hasNans ? feature.nanValueTreatment : 'AsIs';
    usedNanValue.push(treatment === 'AsTrue' ? Infinity : treatment === 'AsFalse' ? -Infinity : Number.NaN);
    for (let b = 0; b < count; b++) {
      binarySlot.push(slot);
      binaryBorder.push(feature.borders[b]);
    }
  }
  const usedCount = usedColumn.length;

  const chunks: ChunkFn[] = [];
  let sourceChars = 0;
  const treeCount = model.treeDepths.length;
  let split = 0;
  let leaf = 0;
  for (let first = 0; first < treeCount; first += treesPerChunk) {
    const last = Math.min(treeCount, first + treesPerChunk);
    const slots = new Set<number>();
    const body: string[] = [];
    for (let t = first; t < last; t++) {
      const depth = model.treeDepths[t];
      const terms: string[] = [];
      for (let j = 0; j < depth; j++) {
        const k = model.treeSplits[split + j];
        const slot = binarySlot[k];
        slots.add(slot);
        const test = `(x${slot} > ${literal(binaryBorder[k])})`;
        terms.push(j === 0 ? test : `(${test} << ${j})`);
      }
      body.push(depth === 0 ? `s += L[${leaf}];` : `s += L[${leaf} + (${terms.join(' | ')})];`);
      split += depth;
      leaf += 2 ** depth;
    }
    const loads = [...slots].sort((a, b) => a - b).map((slot) => `const x${slot} = V[o + ${slot}];`);
    const source =
      `'use strict';\n` +
      `for (let r = 0, o = 0; r < n; r++, o += ${usedCount}) {\n` +
      `${loads.join('\n')}\n` +
      `let s = S[r];\n` +
      `${body.join('\n')}\n` +
      `S[r] = s;\n` +
      `}`;
    sourceChars += source.length;
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from numbers only, see above
    chunks.push(new Function('V', 'S', 'n', 'L', source) as ChunkFn);
  }

  return {
    usedColumn: Int32Array.from(usedColumn),
    usedNanValue: Float64Array.from(usedNanValue),
    chunks,
    leafValues: Float64Array.from(model.leafValues),
    sourceChars,
  };
}
