/**
 * @module models/catboost/evaluator
 * Oblivious-tree evaluator reproducing CatBoost's RawFormulaVal bit for bit.
 *
 * CatBoost binarises each float feature against its borders (`float32(x) > border`) and reads
 * each tree's leaf from the bits of its splits. Because a feature's borders are ascending, all of
 * its bits are determined by one number: its bin, the count of borders below x. So predict
 *   1. quantises each used feature of each row to its bin (binary search over float32 borders,
 *      NaN mapped as CatBoost's full evaluator does), into one reused Uint16Array, then
 *   2. walks the trees in model order, each split being "bin[slot] > threshold", adding leaf
 *      values per row in double from 0.0, and finally raw = scale * sum + bias.
 * Trees are the outer loop and rows the inner one: a tree's splits stay in registers while the
 * batch's bins (2 bytes per used feature per row) stay in L1. Each row's sum still runs over the
 * trees in model order, which is what makes the result identical to CatBoost's.
 * Everything is flattened into typed arrays once, at construction; predict allocates nothing
 * but the output (when none is passed) and, when a batch is larger than any before, the bins.
 */
import { pwError } from '../../errors.js';
import { type ObliviousModel, validateObliviousModel } from './model.js';

export class ObliviousEvaluator {
  readonly name: string;
  readonly featureNames: readonly string[];
  readonly featureCount: number;
  readonly treeCount: number;
  readonly treeDepths: readonly number[];

  /** Quantised ("used") features: those with at least one border. */
  private readonly slotCount: number;
  private readonly slotColumn: Int32Array;
  private readonly slotBorderStart: Int32Array;
  private readonly slotBorderCount: Int32Array;
  /** Bin of a NaN input: 0 (AsIs, AsFalse: below every border) or the border count (AsTrue). */
  private readonly slotNanBin: Uint16Array;
  private readonly borders: Float64Array;

  private readonly depths: Uint8Array;
  /** Per split: the slot it reads and the bin it must exceed. */
  private readonly splitSlot: Int32Array;
  private readonly splitThreshold: Int32Array;
  private readonly leafValues: Float64Array;
  private readonly scale: number;
  private readonly bias: number;

  /** Bins of the current batch, row-major n × slotCount; grown, never shrunk. */
  private bins: Uint16Array;

  constructor(model: ObliviousModel, name = 'model') {
    validateObliviousModel(model, name);
    this.name = name;
    this.featureNames = Object.freeze([...model.featureNames]);
    this.featureCount = model.featureNames.length;
    this.treeCount = model.treeDepths.length;
    this.treeDepths = Object.freeze(Array.from(model.treeDepths));

    // Binary feature k -> (slot, threshold): bit k is set exactly when bin[slot] > threshold.
    const binarySlot: number[] = [];
    const binaryThreshold: number[] = [];
    const column: number[] = [];
    const borderStart: number[] = [];
    const borderCount: number[] = [];
    const nanBin: number[] = [];
    const borders: number[] = [];
    for (const feature of model.floatFeatures) {
      const count = feature.borders.length;
      if (count === 0) continue;
      const slot = column.length;
      column.push(feature.index);
      borderStart.push(borders.length);
      borderCount.push(count);
      // quantization.h: the treatment applies only to features that had NaNs (HasNans).
      nanBin.push(feature.hasNans && feature.nanValueTreatment === 'AsTrue' ? count : 0);
      for (let b = 0; b < count; b++) {
        borders.push(feature.borders[b]);
        binarySlot.push(slot);
        binaryThreshold.push(b);
      }
    }
    this.slotCount = column.length;
    this.slotColumn = Int32Array.from(column);
    this.slotBorderStart = Int32Array.from(borderStart);
    this.slotBorderCount = Int32Array.from(borderCount);
    this.slotNanBin = Uint16Array.from(nanBin);
    this.borders = Float64Array.from(borders);

    this.depths = Uint8Array.from(this.treeDepths);
    const splitCount = model.treeSplits.length;
    this.splitSlot = new Int32Array(splitCount);
    this.splitThreshold = new Int32Array(splitCount);
    for (let s = 0; s < splitCount; s++) {
      const k = model.treeSplits[s];
      this.splitSlot[s] = binarySlot[k];
      this.splitThreshold[s] = binaryThreshold[k];
    }
    this.leafValues = Float64Array.from(model.leafValues);
    this.scale = model.scale;
    this.bias = model.bias;
    this.bins = new Uint16Array(this.slotCount);
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
    if (this.bins.length < n * this.slotCount) this.bins = new Uint16Array(n * this.slotCount);
    this.quantize(rows, n);
    result.fill(0, 0, n);
    this.sumTrees(n, result);
    const scale = this.scale;
    const bias = this.bias;
    for (let r = 0; r < n; r++) result[r] = scale * result[r] + bias;
    return result;
  }

  private quantize(rows: Float64Array, n: number): void {
    const { bins, slotCount, slotColumn, slotBorderStart, slotBorderCount, slotNanBin, borders, featureCount } = this;
    for (let r = 0; r < n; r++) {
      const rowBase = r * featureCount;
      const binBase = r * slotCount;
      for (let q = 0; q < slotCount; q++) {
        const x = Math.fround(rows[rowBase + slotColumn[q]]);
        let bin: number;
        if (x !== x) {
          bin = slotNanBin[q];
        } else {
          // Count of borders b with x > b: first index whose border is >= x.
          let lo = slotBorderStart[q];
          let hi = lo + slotBorderCount[q];
          const start = lo;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (x > borders[mid]) lo = mid + 1;
            else hi = mid;
          }
          bin = lo - start;
        }
        bins[binBase + q] = bin;
      }
    }
  }

  private sumTrees(n: number, sums: Float64Array): void {
    const { bins, slotCount, depths, splitSlot, splitThreshold, leafValues, treeCount } = this;
    let split = 0;
    let leaf = 0;
    for (let t = 0; t < treeCount; t++) {
      const depth = depths[t];
      if (depth === 6) {
        // The common case, unrolled: splits in registers, one pass over the batch.
        const s0 = splitSlot[split], t0 = splitThreshold[split];
        const s1 = splitSlot[split + 1], t1 = splitThreshold[split + 1];
        const s2 = splitSlot[split + 2], t2 = splitThreshold[split + 2];
        const s3 = splitSlot[split + 3], t3 = splitThreshold[split + 3];
        const s4 = splitSlot[split + 4], t4 = splitThreshold[split + 4];
        const s5 = splitSlot[split + 5], t5 = splitThreshold[split + 5];
        for (let r = 0, base = 0; r < n; r++, base += slotCount) {
          // Branch-free bits: (threshold - bin) is negative exactly when bin > threshold, and
          // both are small non-negative ints, so its sign bit is the split's bit. On real data
          // comparison branches mispredict often; this keeps the loop flat.
          const index =
            ((t0 - bins[base + s0]) >>> 31) |
            (((t1 - bins[base + s1]) >>> 31) << 1) |
            (((t2 - bins[base + s2]) >>> 31) << 2) |
            (((t3 - bins[base + s3]) >>> 31) << 3) |
            (((t4 - bins[base + s4]) >>> 31) << 4) |
            (((t5 - bins[base + s5]) >>> 31) << 5);
          sums[r] += leafValues[leaf + index];
        }
      } else {
        for (let r = 0, base = 0; r < n; r++, base += slotCount) {
          let index = 0;
          for (let j = 0; j < depth; j++) {
            index |= ((splitThreshold[split + j] - bins[base + splitSlot[split + j]]) >>> 31) << j;
          }
          sums[r] += leafValues[leaf + index];
        }
      }
      split += depth;
      leaf += 1 << depth;
    }
  }
}
