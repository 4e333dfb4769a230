/**
 * @module models/catboost/evaluator
 * Oblivious-tree evaluator reproducing CatBoost's RawFormulaVal bit for bit.
 *
 * Two phases, as CatBoost's evaluators do:
 *   1. binarise: each used feature's value, rounded to float32 (NaN first replaced as CatBoost's
 *      full evaluator does: kept for AsIs, -inf for AsFalse, +inf for AsTrue, and only when the
 *      feature HasNans), is compared with each of its borders: one byte `x > border` per
 *      binary feature, into one reused Uint8Array;
 *   2. walk the trees in model order: a tree's leaf index is Σ bit(split_j) << j, and each
 *      row's leaf values are summed in double from 0.0; finally raw = scale * sum + bias.
 * Rows go in blocks of BLOCK_ROWS, trees outer and rows inner within a block, so a tree's
 * splits stay in registers and its leaves in L1 across the block. Each row's sum still runs
 * over the trees in model order, which is what makes the result identical to CatBoost's.
 * Everything is flattened into typed arrays once, at construction; predict allocates nothing
 * but the output array when none is passed.
 *
 * This interpreter is the reference. By default predict runs the model-specialised generated
 * code of compiled.ts instead (same results to the bit, several times faster); pass
 * `{ compiled: false }` to run the interpreter.
 */
import { pwError } from '../../errors.js';
import { CompiledTrees, type CompiledTreesOptions } from './compiled.js';
import { WasmTrees, wasmUnsupportedReason } from './wasm.js';
import { type ObliviousModel, usedFeatures, validateObliviousModel } from './model.js';

/**
 * Rows binarised and walked together: the block's bits (BLOCK_ROWS × binary features bytes,
 * 32 KB for 2045 borders) stay in cache while each tree's splits and leaves are reused.
 */
const BLOCK_ROWS = 16;

export interface EvaluatorOptions extends CompiledTreesOptions {
  /**
   * true (default): model-specialised generated code (compiled.ts); false: this module's
   * interpreter, the reference implementation. Both give identical results.
   */
  compiled?: boolean;
  /**
   * With `compiled`: true (default) generates WebAssembly (wasm.ts) when the model fits its
   * limits, else JavaScript (compiled.ts); false always generates JavaScript.
   */
  wasm?: boolean;
}

export class ObliviousEvaluator {
  readonly name: string;
  readonly featureNames: readonly string[];
  readonly featureCount: number;
  readonly treeCount: number;
  readonly treeDepths: readonly number[];

  /** Used features (at least one border): input column, first binary feature, border count. */
  private readonly usedCount: number;
  private readonly usedColumn: Int32Array;
  private readonly usedStart: Int32Array;
  private readonly usedBorderCount: Int32Array;
  /** What a NaN becomes before comparing (quantization.h): NaN itself (AsIs), -inf or +inf. */
  private readonly usedNanValue: Float64Array;
  /** Every border, in binary-feature order (float32 values held exactly as doubles). */
  private readonly borders: Float64Array;
  private readonly binaryCount: number;

  private readonly depths: Uint8Array;
  /** Binary-feature index of each split, tree after tree. */
  private readonly splits: Int32Array;
  private readonly leafValues: Float64Array;
  private readonly scale: number;
  private readonly bias: number;

  /** Binarised features of one block of rows, row-major BLOCK_ROWS × binaryCount. */
  private readonly bits: Uint8Array;

  /** The generated evaluator, or null when predict runs the interpreter. */
  private readonly compiled: CompiledTrees | WasmTrees | null;

  constructor(model: ObliviousModel, name = 'model', options: EvaluatorOptions = {}) {
    validateObliviousModel(model, name);
    this.name = name;
    this.featureNames = Object.freeze([...model.featureNames]);
    this.featureCount = model.featureNames.length;
    this.treeCount = model.treeDepths.length;
    this.treeDepths = Object.freeze(Array.from(model.treeDepths));

    const used = usedFeatures(model);
    this.usedCount = used.count;
    this.usedColumn = used.column;
    this.usedStart = used.start;
    this.usedBorderCount = used.borderCount;
    this.usedNanValue = used.nanValue;
    this.borders = used.borders;
    this.binaryCount = used.borders.length;

    this.depths = Uint8Array.from(this.treeDepths);
    this.splits = Int32Array.from(model.treeSplits);
    this.leafValues = Float64Array.from(model.leafValues);
    this.scale = model.scale;
    this.bias = model.bias;
    this.bits = new Uint8Array(BLOCK_ROWS * this.binaryCount);

    if (options.compiled === false) this.compiled = null;
    else if (options.wasm !== false && wasmUnsupportedReason(model) === null) this.compiled = new WasmTrees(model, used);
    else this.compiled = new CompiledTrees(model, options, used);
  }

  /** Whether predict runs generated code (true) or the interpreter. */
  get isCompiled(): boolean {
    return this.compiled !== null;
  }

  /** Which path predict runs: generated WebAssembly, generated JavaScript, or the interpreter. */
  get engine(): 'wasm' | 'js' | 'interpreter' {
    return this.compiled instanceof WasmTrees ? 'wasm' : this.compiled ? 'js' : 'interpreter';
  }

  /**
   * RawFormulaVal of n rows. `rows` is row-major n × featureCount (NaN = missing); values are
   * rounded to float32 first, as CatBoost's APIs take float32 features.
   */
  predict(rows: Float64Array, n: number, out?: Float64Array): Float64Array {
    if (!Number.isInteger(n) || n < 0) throw pwError('PW_ERR_MODEL_INPUT', this.name, `row count ${n} is not a non-negative integer`);
    if (rows.length !== n * this.featureCount) {
      throw pwError('PW_ERR_MODEL_INPUT', this.name, `expected ${n} rows × ${this.featureCount} features = ${n * this.featureCount} values, got ${rows.length}`);
    }
    const result = out ?? new Float64Array(n);
    if (result.length < n) throw pwError('PW_ERR_MODEL_INPUT', this.name, `output holds ${result.length} values, need ${n}`);
    if (this.compiled) {
      this.compiled.sumTrees(rows, n, this.featureCount, result);
    } else {
      result.fill(0, 0, n);
      for (let first = 0; first < n; first += BLOCK_ROWS) {
        const count = Math.min(BLOCK_ROWS, n - first);
        this.binarize(rows, first, count);
        this.sumTrees(first, count, result);
      }
    }
    const scale = this.scale;
    const bias = this.bias;
    for (let r = 0; r < n; r++) result[r] = scale * result[r] + bias;
    return result;
  }

  /** Rows first..first+count-1 into `bits`: one byte per (row, binary feature), `x > border`. */
  private binarize(rows: Float64Array, first: number, count: number): void {
    const { bits, binaryCount, usedCount, usedColumn, usedStart, usedBorderCount, usedNanValue, borders, featureCount } = this;
    for (let r = 0; r < count; r++) {
      const rowBase = (first + r) * featureCount;
      const bitBase = r * binaryCount;
      for (let u = 0; u < usedCount; u++) {
        let x = Math.fround(rows[rowBase + usedColumn[u]]);
        if (x !== x) x = usedNanValue[u];
        // Borders ascend, so the bits are a run of 1s (borders below x) then 0s: find the
        // run's end by binary search (NaN compares false everywhere: no 1s), then store.
        const start = usedStart[u];
        const end = start + usedBorderCount[u];
        let lo = start;
        let hi = end;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (x > borders[mid]) lo = mid + 1;
          else hi = mid;
        }
        for (let k = start; k < lo; k++) bits[bitBase + k] = 1;
        for (let k = lo; k < end; k++) bits[bitBase + k] = 0;
      }
    }
  }

  /** Adds each tree's leaf, in model order, to result[first..first+count-1]. */
  private sumTrees(first: number, count: number, sums: Float64Array): void {
    const { bits, binaryCount, depths, splits, leafValues, treeCount } = this;
    let split = 0;
    let leaf = 0;
    for (let t = 0; t < treeCount; t++) {
      const depth = depths[t];
      if (depth === 6) {
        // The common case, unrolled; bits are 0/1 bytes so the index needs no comparisons.
        const k0 = splits[split], k1 = splits[split + 1], k2 = splits[split + 2];
        const k3 = splits[split + 3], k4 = splits[split + 4], k5 = splits[split + 5];
        for (let r = 0, base = 0; r < count; r++, base += binaryCount) {
          const index =
            bits[base + k0] | (bits[base + k1] << 1) | (bits[base + k2] << 2) |
            (bits[base + k3] << 3) | (bits[base + k4] << 4) | (bits[base + k5] << 5);
          sums[first + r] += leafValues[leaf + index];
        }
      } else {
        for (let r = 0, base = 0; r < count; r++, base += binaryCount) {
          let index = 0;
          for (let j = 0; j < depth; j++) index |= bits[base + splits[split + j]] << j;
          sums[first + r] += leafValues[leaf + index];
        }
      }
      split += depth;
      leaf += 1 << depth;
    }
  }
}
