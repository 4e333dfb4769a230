/**
 * @module models/catboost/compiled
 * Model-specialised oblivious-tree evaluator: at load, JavaScript source is generated for the
 * model's trees and compiled with `new Function`, in chunks of TREES_PER_CHUNK trees (V8 does not
 * optimise very large functions, and a chunk's machine code stays in the instruction cache
 * while it runs over a block of rows).
 *
 * Per row, each used feature's value becomes a bin index once: the value is rounded to float32
 * (NaN first replaced by -inf for AsFalse, +inf for AsTrue, kept for AsIs, and only when the
 * feature HasNans), then bin = number of the feature's ascending borders b with `x > b`
 * (a branch-free binary search; NaN compares false everywhere, so bin 0). A split on border q
 * (0-based) of that feature is then `bin > q`, exactly the interpreter's `x > border_q`: this
 * turns ~6000 float comparisons against materialised constants into integer comparisons with
 * immediates. The leaf index Σ bit_j << j is written in Horner form, `b0 + ((b1 + (…) << 1) << 1)`,
 * which V8 compiles to one `lea` per split.
 *
 * Summation is the interpreter's, to the bit: each row's running double sum starts at 0.0 and
 * adds one leaf per tree in model order; it is passed from chunk to chunk (never summed per
 * chunk), so the additions are exactly the same. The caller applies scale and bias.
 */
import { type ObliviousModel, type UsedFeatures, usedFeatures } from './model.js';

/** Trees per generated function (measured: 32–100 perform alike; 48 keeps each function small). */
export const TREES_PER_CHUNK = 48;
/** Rows per block: bins (used features × 4 bytes) and sums of a block stay in L1. */
export const COMPILED_BLOCK_ROWS = 64;

/** One generated chunk: adds its trees' leaves to sums[0..n-1] for the n rows of `bins`. */
type ChunkFn = (bins: Int32Array, sums: Float64Array, n: number, leaves: Float64Array) => void;

export interface CompiledTreesOptions {
  treesPerChunk?: number;
  blockRows?: number;
}

export class CompiledTrees {
  /** Generated source length in characters (diagnostics and benches). */
  readonly sourceChars: number;

  private readonly usedCount: number;
  private readonly usedColumn: Int32Array;
  private readonly usedNanValue: Float64Array;
  private readonly usedStart: Int32Array;
  private readonly usedBorderCount: Int32Array;
  private readonly borders: Float64Array;
  private readonly chunks: readonly ChunkFn[];
  private readonly leafValues: Float64Array;
  private readonly blockRows: number;
  /** One block's bins (row-major blockRows × usedCount) and running sums. */
  private readonly bins: Int32Array;
  private readonly sums: Float64Array;

  /** `model` must have passed validateObliviousModel (ascending float32 borders, valid splits). */
  constructor(model: ObliviousModel, options: CompiledTreesOptions = {}, layout?: UsedFeatures) {
    const treesPerChunk = options.treesPerChunk ?? TREES_PER_CHUNK;
    this.blockRows = options.blockRows ?? COMPILED_BLOCK_ROWS;

    const used = layout ?? usedFeatures(model);
    const { binarySlot, binaryRank } = used;
    this.usedCount = used.count;
    this.usedColumn = used.column;
    this.usedNanValue = used.nanValue;
    this.usedStart = used.start;
    this.usedBorderCount = used.borderCount;
    this.borders = used.borders;
    this.leafValues = Float64Array.from(model.leafValues);
    this.bins = new Int32Array(this.blockRows * this.usedCount);
    this.sums = new Float64Array(this.blockRows);

    const chunks: ChunkFn[] = [];
    let sourceChars = 0;
    const treeCount = model.treeDepths.length;
    let split = 0;
    let leaf = 0;
    for (let first = 0; first < treeCount; first += treesPerChunk) {
      const last = Math.min(treeCount, first + treesPerChunk);
      const slots = new Set<number>();
      const lines: string[] = [];
      for (let t = first; t < last; t++) {
        const depth = model.treeDepths[t];
        let index = '';
        for (let j = depth - 1; j >= 0; j--) {
          const k = model.treeSplits[split + j];
          slots.add(binarySlot[k]);
          const bit = `+(x${binarySlot[k]} > ${binaryRank[k]})`;
          index = j === depth - 1 ? bit : `${bit} + ((${index}) << 1)`;
        }
        lines.push(depth === 0 ? `s += L[${leaf}];` : `s += L[${leaf} + ${index}];`);
        split += depth;
        leaf += 2 ** depth;
      }
      const loads = [...slots].sort((a, b) => a - b).map((slot) => `const x${slot} = V[o + ${slot}];`);
      const source =
        `'use strict';\n` +
        `for (let r = 0, o = 0; r < n; r++, o += ${this.usedCount}) {\n` +
        `${loads.join('\n')}\nlet s = S[r];\n${lines.join('\n')}\nS[r] = s;\n}`;
      sourceChars += source.length;
      // The source holds only integers computed above (ranks, slots, offsets, counts) and fixed
      // identifiers; no string from the model file reaches it, so nothing a model author wrote runs.
      chunks.push(new Function('V', 'S', 'n', 'L', source) as ChunkFn);
    }
    this.chunks = chunks;
    this.sourceChars = sourceChars;
  }

  /**
   * Σ of leaf values (before scale and bias) of n rows into result[0..n-1]; `rows` is row-major
   * n × featureCount. Shapes are the caller's to check.
   */
  sumTrees(rows: Float64Array, n: number, featureCount: number, result: Float64Array): void {
    const { bins, sums, blockRows, usedCount, usedColumn, usedNanValue, usedStart, usedBorderCount, borders, chunks, leafValues } = this;
    for (let first = 0; first < n; first += blockRows) {
      const count = Math.min(blockRows, n - first);
      for (let r = 0, o = 0; r < count; r++, o += usedCount) {
        const rowBase = (first + r) * featureCount;
        for (let u = 0; u < usedCount; u++) {
          let x = Math.fround(rows[rowBase + usedColumn[u]]);
          if (x !== x) x = usedNanValue[u];
          // Branch-free search: the answer stays in [base-start, base-start+len] while len
          // halves, independently of x, so no branch depends on the data.
          const start = usedStart[u];
          let base = start;
          let len = usedBorderCount[u];
          while (len > 1) {
            const half = len >>> 1;
            base += +(x > borders[base + half - 1]) * half;
            len -= half;
          }
          bins[o + u] = base - start + +(x > borders[base]);
        }
        sums[r] = 0;
      }
      for (let c = 0; c < chunks.length; c++) chunks[c](bins, sums, count, leafValues);
      for (let r = 0; r < count; r++) result[first + r] = sums[r];
    }
  }
}
