/**
 * @module models/catboost/wasm
 * Oblivious-tree evaluator in WebAssembly (SIMD). The module is written by this file (a small
 * binary writer, no external toolchain), compiled ONCE per process and instantiated per model
 * over that model's own memory, which holds its tables: borders, split tables, leaf values.
 *
 * Why: generated JavaScript runs unoptimised for its first few thousand calls (V8 collects type
 * feedback first), 20–60× the steady state for the first seconds of an instance. WebAssembly is
 * typed and compiled before its first call; and because the code is the same for every model (the
 * model is data, as in CatBoost's own library, not code), its loops reach V8's optimising tier
 * after a few hundred predictions of any model, and compiling a model costs only filling its
 * tables. (A model-specialised module was measured too: ~600 KB per model, 200+ ms to optimise
 * each, and slower than this before V8 tiered it up.)
 *
 * As CatBoost's library does, each used feature's value is binarised ONCE per row: the value,
 * rounded to float32 with NaN replaced by the feature's NaN value (JavaScript, `load`), becomes
 * bin = number of its borders b with x > b, counted four borders per `f32x4.gt` (borders padded
 * with +inf; NaN compares false everywhere: bin 0). A split "x > border q" is then `bin > q`.
 * Two tree walks:
 *
 *   - `one` (a single row: the worker's case): lanes are TREES. For 16 consecutive trees at a
 *     time, each depth level gathers the 16 splits' bins with `i8x16.swizzle` from the row's bins,
 *     compares with the 16 split ranks (`i8x16.gt_u`), and builds the 16 leaf indices in Horner
 *     form (`idx = idx + idx − mask`); the 16 leaves are then added to ONE double sum in tree
 *     order. Padding lanes (after the last tree) add +0.0, an exact no-op (the sum is never −0).
 *   - `block` (16 rows: batches): lanes are ROWS. For each tree, each split loads the 16 rows'
 *     bins of its feature (one v128), compares with the rank, builds 16 leaf indices; leaves are
 *     added to 16 running sums held in eight f64x2 registers, lane r = row r.
 *
 * Summation is the interpreter's, to the bit: each row's double sum starts at 0.0 and adds one
 * leaf per tree in model order (IEEE-754 double addition, lane by lane for f64x2). The caller
 * applies scale and bias.
 *
 * Limits (else the caller uses compiled.ts): depth ≤ 8 (leaf index in a byte), ≤ 255 borders per
 * feature (bin in a byte), at least one tree and one used feature, WebAssembly SIMD available.
 */
import { type ObliviousModel, type UsedFeatures, usedFeatures } from './model.js';

/** Rows per `block` call (one byte lane each). */
export const WASM_BLOCK_ROWS = 16;
/** Calls of `one` (and 1/16 as many of `block`) made at load to get V8 to optimise the code. */
const WARM_UP_CALLS = 2048;
/** Below this many rows, rows go one by one through `one`; from it on, in blocks of 16. */
export const WASM_BLOCK_MIN_ROWS = 4;

/** The slice of the WebAssembly JS API this module uses (the project's TS lib has no DOM types). */
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

// ---- a minimal WebAssembly binary writer ---------------------------------------------------

const I32 = 0x7f;
const F64 = 0x7c;
const V128 = 0x7b;

function uleb(n: number, out: number[]): void {
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
}

function sleb(n: number, out: number[]): void {
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Instruction emitter for one function body (opcodes from the WebAssembly 2.0 spec). */
class Code {
  readonly bytes: number[] = [];
  private u(n: number): this {
    uleb(n, this.bytes);
    return this;
  }
  private op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  private simd(op: number): this {
    return this.op(0xfd).u(op);
  }
  get(i: number): this {
    return this.op(0x20).u(i);
  }
  set(i: number): this {
    return this.op(0x21).u(i);
  }
  tee(i: number): this {
    return this.op(0x22).u(i);
  }
  i32(v: number): this {
    this.op(0x41);
    sleb(v, this.bytes);
    return this;
  }
  f64Zero(): this {
    return this.op(0x44, 0, 0, 0, 0, 0, 0, 0, 0);
  }
  /** `loop` whose body is `body`; ends with `br_if 0` on the i32 the body leaves (continue while ≠ 0). */
  doWhile(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0d, 0, 0x0b);
  }
  /** if (i32 on the stack ≠ 0) then … else … end */
  ifElse(then: () => void, otherwise: () => void): this {
    this.op(0x04, 0x40);
    then();
    this.op(0x05);
    otherwise();
    return this.op(0x0b);
  }
  eq(): this {
    return this.op(0x46);
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  call(f: number): this {
    return this.op(0x10).u(f);
  }
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  shl(): this {
    return this.op(0x74);
  }
  ltU(): this {
    return this.op(0x49);
  }
  /** i32.load from the address on the stack + offset. */
  load(offset: number): this {
    return this.op(0x28, 2).u(offset);
  }
  /** i32.load of a header field (absolute address). */
  header(field: number): this {
    return this.i32(0).load(field);
  }
  f32Load(offset = 0): this {
    return this.op(0x2a, 2).u(offset);
  }
  f64Load(offset = 0): this {
    return this.op(0x2b, 3).u(offset);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  store8(offset = 0): this {
    return this.op(0x3a, 0).u(offset);
  }
  v128Load(offset = 0): this {
    return this.simd(0x00).u(4).u(offset);
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b).u(4).u(offset);
  }
  v128Zero(): this {
    this.simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
  swizzle(): this {
    return this.simd(0x0e);
  }
  i8x16Splat(): this {
    return this.simd(0x0f);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  f64x2Splat(): this {
    return this.simd(0x14);
  }
  extractU8(lane: number): this {
    return this.simd(0x16).op(lane);
  }
  extractI32(lane: number): this {
    return this.simd(0x1b).op(lane);
  }
  f64x2ReplaceLane(lane: number): this {
    return this.simd(0x22).op(lane);
  }
  gtU8(): this {
    return this.simd(0x28);
  }
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  or(): this {
    return this.simd(0x50);
  }
  add8(): this {
    return this.simd(0x6e);
  }
  sub8(): this {
    return this.simd(0x71);
  }
  /** i16x8.extend_low/high_i8x16_u */
  widen8(high: boolean): this {
    return this.simd(high ? 0x8a : 0x89);
  }
  /** i32x4.extend_low/high_i16x8_u */
  widen16(high: boolean): this {
    return this.simd(high ? 0xaa : 0xa9);
  }
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  /** The function body: local groups + code + end, length-prefixed. */
  body(locals: ReadonlyArray<readonly [count: number, type: number]>): number[] {
    const out: number[] = [];
    uleb(locals.length, out);
    for (const [count, type] of locals) {
      uleb(count, out);
      out.push(type);
    }
    out.push(...this.bytes, 0x0b);
    const sized: number[] = [];
    uleb(out.length, sized);
    return sized.concat(out);
  }
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  uleb(content.length, out);
  out.push(...content);
}

function vector(items: number[][]): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const item of items) out.push(...item);
  return out;
}

function name(s: string): number[] {
  const out: number[] = [];
  uleb(s.length, out);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
  return out;
}

// ---- the module ----------------------------------------------------------------------------

/** Header fields (i32, byte offsets from 0) of a model's memory; bytes 56..63 hold a +0.0. */
const H = {
  used: 0, // used features U
  vectors: 4, // ceil(U / 16): v128s holding one row's bins
  groups: 8, // groups of 16 trees (the `one` table)
  trees: 12,
  borders: 16, // f32 borders, each feature padded with +inf to a multiple of 4
  borderGroups: 20, // i32 per used feature: its number of 4-border groups
  input: 24, // f32 × U per row, up to 16 rows
  bins1: 28, // one row's bins, `vectors` × 16 bytes
  bins16: 32, // a block's bins: 16 bytes (rows) per used feature
  out: 36, // a block's 16 sums (f64)
  oneTable: 40,
  blockTable: 44,
} as const;
const ZERO_LEAF = 56;
const HEADER_BYTES = 64;

/** bin(row, dst, stride): binarise input row `row` into dst, dst + stride, … (one byte per used feature). */
function binFunction(): number[] {
  const [row, dst, stride, u, inPtr, bPtr, gPtr, g] = [0, 1, 2, 3, 4, 5, 6, 7];
  const [x, acc] = [8, 9];
  const c = new Code();
  c.header(H.input).get(row).header(H.used).mul().i32(2).shl().add().set(inPtr);
  c.header(H.borders).set(bPtr).header(H.borderGroups).set(gPtr).i32(0).set(u);
  c.doWhile(() => {
    c.get(inPtr).f32Load().f32x4Splat().set(x);
    c.v128Zero().set(acc);
    c.get(gPtr).load(0).set(g);
    c.doWhile(() => {
      c.get(acc).get(x).get(bPtr).v128Load().f32x4Gt().i32x4Add().set(acc); // a true lane is −1
      c.get(bPtr).i32(16).add().set(bPtr);
      c.get(g).i32(1).sub().tee(g);
    });
    c.get(dst).i32(0);
    for (let lane = 0; lane < 4; lane++) c.get(acc).extractI32(lane).sub(); // 0 − Σ masks = bin
    c.store8();
    c.get(dst).get(stride).add().set(dst);
    c.get(inPtr).i32(4).add().set(inPtr);
    c.get(gPtr).i32(4).add().set(gPtr);
    c.get(u).i32(1).add().tee(u).header(H.used).ltU();
  });
  return c.body([
    [5, I32],
    [2, V128],
  ]);
}

/**
 * one() → f64: binarise input row 0, then walk the `one` table. Per group of 16 trees: its level
 * count d (≥ 1), then per level (top bit first) `vectors` swizzle-index v128s and one rank v128,
 * then 16 leaf addresses (4 × i32x4; padding lanes point at ZERO_LEAF).
 */
function oneFunction(fixedVectors = 0): number[] {
  const [sum, tp, n, d, v, bPtr] = [0, 1, 2, 3, 4, 5];
  const [idx, m, lanes16] = [6, 7, 8];
  const bins = 9; // 9.. : the row's bins, when the vector count is fixed (unrolled, in registers)
  const c = new Code();
  c.i32(0).header(H.bins1).i32(1).call(0);
  for (let k = 0; k < fixedVectors; k++) c.header(H.bins1).v128Load(16 * k).set(bins + k);
  c.f64Zero().set(sum);
  c.header(H.oneTable).set(tp).header(H.groups).set(n);
  c.doWhile(() => {
    c.get(tp).load(0).set(d);
    c.get(tp).i32(16).add().set(tp);
    c.v128Zero().set(idx);
    c.doWhile(() => {
      if (fixedVectors > 0) {
        for (let k = 0; k < fixedVectors; k++) {
          c.get(bins + k).get(tp).v128Load(16 * k).swizzle();
          if (k > 0) c.or();
        }
        c.set(m);
        c.get(idx).get(idx).add8().get(m).get(tp).v128Load(16 * fixedVectors).gtU8().sub8().set(idx); // 2·idx + bit
        c.get(tp).i32(16 * (fixedVectors + 1)).add().set(tp);
      } else {
        c.v128Zero().set(m);
        c.header(H.bins1).set(bPtr).header(H.vectors).set(v);
        c.doWhile(() => {
          c.get(m).get(bPtr).v128Load().get(tp).v128Load().swizzle().or().set(m);
          c.get(bPtr).i32(16).add().set(bPtr);
          c.get(tp).i32(16).add().set(tp);
          c.get(v).i32(1).sub().tee(v);
        });
        c.get(idx).get(idx).add8().get(m).get(tp).v128Load().gtU8().sub8().set(idx); // 2·idx + bit
        c.get(tp).i32(16).add().set(tp);
      }
      c.get(d).i32(1).sub().tee(d);
    });
    for (let half = 0; half < 2; half++) {
      c.get(idx).widen8(half === 1).set(lanes16);
      for (let quarter = 0; quarter < 2; quarter++) {
        const q = half * 2 + quarter;
        // addresses = leaf base addresses + index · 8, lanes 4q..4q+3
        c.get(lanes16).widen16(quarter === 1).i32(3).i32x4Shl().get(tp).v128Load(16 * q).i32x4Add().set(m);
        for (let lane = 0; lane < 4; lane++) c.get(sum).get(m).extractI32(lane).f64Load().f64Add().set(sum);
      }
    }
    c.get(tp).i32(64).add().set(tp);
    c.get(n).i32(1).sub().tee(n);
  });
  c.get(sum);
  return c.body([
    [1, F64],
    [5, I32],
    [3 + fixedVectors, V128],
  ]);
}

/**
 * block(count): binarise input rows 0..count-1, then walk the `block` table: per tree its depth,
 * its first leaf's address, then per level (top bit first) the bins16 address of the split's
 * feature and its rank. Sums (lane r = row r) go to `out`.
 */
function blockFunction(): number[] {
  const [count, r, tp, n, d, leaf] = [0, 1, 2, 3, 4, 5];
  const acc = 6; // 6..13
  const [idx, leafV, lanes16, addr] = [14, 15, 16, 17];
  const c = new Code();
  c.i32(0).set(r);
  c.doWhile(() => {
    c.get(r).header(H.bins16).get(r).add().i32(16).call(0);
    c.get(r).i32(1).add().tee(r).get(count).ltU();
  });
  for (let p = 0; p < 8; p++) c.v128Zero().set(acc + p);
  c.header(H.blockTable).set(tp).header(H.trees).set(n);
  const level = (offset: number) =>
    c.get(idx).get(idx).add8().get(tp).load(offset).v128Load().get(tp).load(offset + 4).i8x16Splat().gtU8().sub8().set(idx);
  c.doWhile(() => {
    c.get(tp).load(0).set(d);
    c.get(tp).load(4).set(leaf);
    c.get(tp).i32(8).add().set(tp);
    c.v128Zero().set(idx);
    c.get(d).i32(6).eq();
    c.ifElse(
      () => {
        // depth 6, the common case: unrolled
        for (let j = 0; j < 6; j++) level(8 * j);
        c.get(tp).i32(48).add().set(tp);
      },
      () => {
        // depth-0 trees carry one dummy level (rank 255 never passes): the loop runs at least once
        c.doWhile(() => {
          level(0);
          c.get(tp).i32(8).add().set(tp);
          c.get(d).i32(1).sub().tee(d);
        });
      },
    );
    // leaf addresses, 4 rows at a time: first leaf + index · 8
    c.get(leaf).i32x4Splat().set(leafV);
    for (let half = 0; half < 2; half++) {
      c.get(idx).widen8(half === 1).set(lanes16);
      for (let quarter = 0; quarter < 2; quarter++) {
        const q = half * 2 + quarter;
        c.get(lanes16).widen16(quarter === 1).i32(3).i32x4Shl().get(leafV).i32x4Add().set(addr);
        for (const p of [2 * q, 2 * q + 1]) {
          const lane = 2 * (p - 2 * q);
          c.get(acc + p);
          c.get(addr).extractI32(lane).f64Load().f64x2Splat();
          c.get(addr).extractI32(lane + 1).f64Load().f64x2ReplaceLane(1);
          c.f64x2Add().set(acc + p);
        }
      }
    }
    c.get(n).i32(1).sub().tee(n);
  });
  for (let p = 0; p < 8; p++) c.header(H.out).get(acc + p).v128Store(16 * p);
  return c.body([
    [5, I32],
    [12, V128],
  ]);
}

function buildModule(): Uint8Array {
  const types = vector([
    [0x60, 3, I32, I32, I32, 0], // 0: bin
    [0x60, 0, 1, F64], // 1: one
    [0x60, 1, I32, 0], // 2: block
  ]);
  const imports = vector([[...name('m'), ...name('memory'), 0x02, 0x00, 1]]);
  // Functions: 0 bin, 1 one (any vector count), 2 block, 3..6 one with 1..4 bins vectors unrolled.
  const functions = vector([[0], [1], [2], [1], [1], [1], [1]]);
  const exports = vector([
    [...name('one'), 0x00, 1],
    [...name('block'), 0x00, 2],
    ...[1, 2, 3, 4].map((k) => [...name(`one${k}`), 0x00, 2 + k]),
  ]);
  const bodies = vector([binFunction(), oneFunction(), blockFunction(), ...[1, 2, 3, 4].map((k) => oneFunction(k))]);
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(1, types, out);
  section(2, imports, out);
  section(3, functions, out);
  section(7, exports, out);
  section(10, bodies, out);
  return Uint8Array.from(out);
}

let compiled: object | null = null;
/** The module, compiled on first use and shared by every model of the process. */
function sharedModule(): object {
  compiled ??= new wasmApi!.Module(buildModule());
  return compiled;
}

/** Why a model cannot take the WebAssembly path (null when it can). */
export function wasmUnsupportedReason(model: ObliviousModel): string | null {
  if (!wasmApi) return 'no WebAssembly in this runtime';
  if (model.treeDepths.length === 0) return 'the model has no trees';
  for (let t = 0; t < model.treeDepths.length; t++) if (model.treeDepths[t]! > 8) return `tree #${t} is deeper than 8`;
  let used = 0;
  for (const f of model.floatFeatures) {
    if (f.borders.length > 255) return `feature ${f.index} has more than 255 borders`;
    if (f.borders.length > 0) used++;
  }
  if (used === 0) return 'no feature has a border';
  try {
    sharedModule();
  } catch (err) {
    return `this runtime refused the module (${err instanceof Error ? err.message : String(err)})`;
  }
  return null;
}

interface Tree {
  depth: number;
  /** Per level, top bit first: used-feature slot and rank (bit = bin > rank). */
  slot: number[];
  rank: number[];
  /** First leaf's index in the leaf array. */
  leaf: number;
}

function treesOf(model: ObliviousModel, used: UsedFeatures): Tree[] {
  const trees: Tree[] = [];
  let split = 0;
  let leaf = 0;
  for (let t = 0; t < model.treeDepths.length; t++) {
    const depth = model.treeDepths[t]!;
    const slot: number[] = [];
    const rank: number[] = [];
    for (let j = depth - 1; j >= 0; j--) {
      const k = model.treeSplits[split + j]!;
      slot.push(used.binarySlot[k]!);
      rank.push(used.binaryRank[k]!);
    }
    trees.push({ depth, slot, rank, leaf });
    split += depth;
    leaf += 2 ** depth;
  }
  return trees;
}

/** A model's memory image: header, borders, tables, leaves, scratch areas. */
function memoryImage(model: ObliviousModel, used: UsedFeatures): { bytes: number; fill: (buffer: ArrayBuffer) => void } {
  const trees = treesOf(model, used);
  const U = used.count;
  const vectors = Math.ceil(U / 16);
  const groups = Math.ceil(trees.length / 16);
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const borderGroups = Array.from(used.borderCount, (count) => Math.ceil(count / 4));
  const bordersAt = HEADER_BYTES;
  const borderGroupsAt = align(bordersAt + borderGroups.reduce((a, b) => a + b, 0) * 16);
  const inputAt = align(borderGroupsAt + U * 4);
  const bins1At = align(inputAt + WASM_BLOCK_ROWS * U * 4);
  const bins16At = align(bins1At + vectors * 16);
  const outAt = align(bins16At + U * 16);
  const oneTableAt = align(outAt + WASM_BLOCK_ROWS * 8);
  let oneBytes = 0;
  for (let g = 0; g < groups; g++) {
    const levels = Math.max(1, ...trees.slice(16 * g, 16 * g + 16).map((t) => t.depth));
    oneBytes += 16 + levels * (vectors + 1) * 16 + 64;
  }
  const blockTableAt = align(oneTableAt + oneBytes);
  const blockBytes = trees.reduce((n, t) => n + 8 + Math.max(1, t.depth) * 8, 0);
  const leavesAt = align(blockTableAt + blockBytes);
  const bytes = leavesAt + model.leafValues.length * 8;

  const fill = (buffer: ArrayBuffer): void => {
    const i32 = new Int32Array(buffer);
    const u8 = new Uint8Array(buffer);
    const f32 = new Float32Array(buffer);
    const f64 = new Float64Array(buffer);
    const header: Record<keyof typeof H, number> = {
      used: U, vectors, groups, trees: trees.length, borders: bordersAt, borderGroups: borderGroupsAt, input: inputAt,
      bins1: bins1At, bins16: bins16At, out: outAt, oneTable: oneTableAt, blockTable: blockTableAt,
    };
    for (const key of Object.keys(H) as (keyof typeof H)[]) i32[H[key] / 4] = header[key];
    f64[ZERO_LEAF / 8] = 0;
    let at = bordersAt / 4;
    for (let u = 0; u < U; u++) {
      for (let b = 0; b < borderGroups[u]! * 4; b++) f32[at++] = b < used.borderCount[u]! ? used.borders[used.start[u]! + b]! : Infinity;
      i32[borderGroupsAt / 4 + u] = borderGroups[u]!;
    }
    const leafAddress = (t: Tree) => leavesAt + t.leaf * 8;
    let p = oneTableAt;
    for (let g = 0; g < groups; g++) {
      const group = trees.slice(16 * g, 16 * g + 16);
      const levels = Math.max(1, ...group.map((t) => t.depth));
      i32[p / 4] = levels;
      p += 16;
      for (let level = 0; level < levels; level++) {
        // Level `level` of the group = bit (levels − 1 − level); a tree with fewer levels has 0 there.
        const present = (t: Tree) => t.depth - (levels - level) >= 0;
        const of = (t: Tree) => t.depth - (levels - level);
        for (let v = 0; v < vectors; v++, p += 16) {
          for (let lane = 0; lane < 16; lane++) {
            const t = group[lane];
            u8[p + lane] = t && present(t) && t.slot[of(t)]! >> 4 === v ? t.slot[of(t)]! & 15 : 0x80;
          }
        }
        for (let lane = 0; lane < 16; lane++) {
          const t = group[lane];
          u8[p + lane] = t && present(t) ? t.rank[of(t)]! : 255;
        }
        p += 16;
      }
      for (let lane = 0; lane < 16; lane++) i32[p / 4 + lane] = group[lane] ? leafAddress(group[lane]!) : ZERO_LEAF;
      p += 64;
    }
    p = blockTableAt;
    for (const t of trees) {
      i32[p / 4] = Math.max(1, t.depth);
      i32[p / 4 + 1] = leafAddress(t);
      p += 8;
      if (t.depth === 0) {
        i32[p / 4] = bins16At;
        i32[p / 4 + 1] = 255;
        p += 8;
      }
      for (let level = 0; level < t.depth; level++, p += 8) {
        i32[p / 4] = bins16At + 16 * t.slot[level]!;
        i32[p / 4 + 1] = t.rank[level]!;
      }
    }
    f64.set(Float64Array.from(model.leafValues), leavesAt / 8);
  };
  return { bytes, fill };
}

/** Same contract as compiled.ts `CompiledTrees`: Σ of leaf values per row, before scale and bias. */
export class WasmTrees {
  /** Bytes of this model's memory (tables, leaves, scratch). */
  readonly memoryBytes: number;

  private readonly usedCount: number;
  private readonly usedColumn: Int32Array;
  private readonly usedNanValue: Float64Array;
  private readonly one: () => number;
  private readonly block: (count: number) => void;
  private readonly input: Float32Array;
  private readonly inputAt: number;
  private readonly sums: Float64Array;
  private readonly sumsAt: number;

  /** `model` must have passed validateObliviousModel and wasmUnsupportedReason must be null. */
  constructor(model: ObliviousModel, layout?: UsedFeatures) {
    const used = layout ?? usedFeatures(model);
    this.usedCount = used.count;
    this.usedColumn = used.column;
    this.usedNanValue = used.nanValue;
    const image = memoryImage(model, used);
    this.memoryBytes = image.bytes;
    const memory = new wasmApi!.Memory({ initial: Math.ceil(image.bytes / 65536) });
    image.fill(memory.buffer);
    const instance = new wasmApi!.Instance(sharedModule(), { m: { memory } });
    const ex = instance.exports as Record<string, () => number> & { block: (count: number) => void };
    const vectors = Math.ceil(used.count / 16);
    this.one = vectors <= 4 ? ex[`one${vectors}`]! : ex.one!;
    this.block = ex.block;
    const header = new Int32Array(memory.buffer, 0, HEADER_BYTES / 4);
    this.input = new Float32Array(memory.buffer);
    this.inputAt = header[H.input / 4]! / 4;
    this.sums = new Float64Array(memory.buffer);
    this.sumsAt = header[H.out / 4]! / 8;
    // Warm-up (a few ms): V8 runs new JavaScript unoptimised and compiles WebAssembly with its
    // baseline tier first, moving hot functions to its optimising tier in the background; running
    // this class's path a couple of thousand times now (on an all-zero row) starts that before the
    // worker reports ready, so the first requests do not pay for it. The code is shared by every
    // model, so later models find it optimised already.
    const width = Math.max(0, ...Array.from(used.column)) + 1;
    const zeros = new Float64Array(width * WASM_BLOCK_ROWS);
    const out = new Float64Array(WASM_BLOCK_ROWS);
    for (let i = 0; i < WARM_UP_CALLS; i++) this.sumTrees(zeros, 1, width, out);
    for (let i = 0; i < WARM_UP_CALLS / 16; i++) this.sumTrees(zeros, WASM_BLOCK_ROWS, width, out);
  }

  /**
   * Σ of leaf values (before scale and bias) of n rows into result[0..n-1]; `rows` is row-major
   * n × featureCount. Shapes are the caller's to check.
   */
  sumTrees(rows: Float64Array, n: number, featureCount: number, result: Float64Array): void {
    if (n < WASM_BLOCK_MIN_ROWS) {
      for (let r = 0; r < n; r++) {
        this.load(rows, r * featureCount, this.inputAt);
        result[r] = this.one();
      }
      return;
    }
    const { sums, sumsAt, usedCount, inputAt } = this;
    for (let first = 0; first < n; first += WASM_BLOCK_ROWS) {
      const count = Math.min(WASM_BLOCK_ROWS, n - first);
      for (let r = 0; r < count; r++) this.load(rows, (first + r) * featureCount, inputAt + r * usedCount);
      this.block(count);
      for (let r = 0; r < count; r++) result[first + r] = sums[sumsAt + r]!;
    }
  }

  /** One row's used features into the input area as float32 (the store rounds), NaN treated. */
  private load(rows: Float64Array, rowBase: number, at: number): void {
    const { input, usedCount, usedColumn, usedNanValue } = this;
    for (let u = 0; u < usedCount; u++) {
      const x = rows[rowBase + usedColumn[u]!]!;
      input[at + u] = x === x ? x : usedNanValue[u]!;
    }
  }
}
