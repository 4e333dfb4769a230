/**
 * @module models/catboost/testing/cbm-builder
 * Test helper: writes small CBM1 files from a description of TModelCore, so the .cbm reader's
 * tests (including every refusal) run without the shared fixtures. Tables are laid out
 * front-to-back (a parent before its children, as uoffsets must point forward); the reader sees
 * an ordinary FlatBuffer. Not used by production code.
 */

export type FbField =
  | { int32: number }
  | { int8: number }
  | { bool: boolean }
  | { float64: number }
  | { string: string }
  | { table: FbFields }
  | { int32s: readonly number[] }
  | { float32s: readonly number[] }
  | { float64s: readonly number[] }
  | { tables: readonly FbFields[] }
  | { strings: readonly string[] };

/** A table: field id -> value (absent ids are absent fields). */
export type FbFields = Record<number, FbField>;

class Writer {
  bytes: number[] = [];
  get pos(): number {
    return this.bytes.length;
  }
  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  put(size: number, write: (view: DataView) => void): number {
    const at = this.pos;
    const scratch = new DataView(new ArrayBuffer(size));
    write(scratch);
    for (let i = 0; i < size; i++) this.bytes.push(scratch.getUint8(i));
    return at;
  }
  patchUint32(at: number, value: number): void {
    const scratch = new DataView(new ArrayBuffer(4));
    scratch.setUint32(0, value, true);
    for (let i = 0; i < 4; i++) this.bytes[at + i] = scratch.getUint8(i);
  }
}

function scalarSize(field: FbField): number {
  if ('int8' in field || 'bool' in field) return 1;
  if ('float64' in field) return 8;
  return 4; // int32 and every offset
}

function writeTable(w: Writer, fields: FbFields): number {
  const ids = Object.keys(fields).map(Number);
  const slots = ids.length === 0 ? 0 : Math.max(...ids) + 1;
  // Inline layout: the soffset, then each field aligned to its size.
  const offsets = new Map<number, number>();
  let inline = 4;
  for (const id of [...ids].sort((a, b) => scalarSize(fields[b]) - scalarSize(fields[a]))) {
    const size = scalarSize(fields[id]);
    inline = Math.ceil(inline / size) * size;
    offsets.set(id, inline);
    inline += size;
  }
  w.align(2);
  const vtable = w.put(4 + 2 * slots, (v) => {
    v.setUint16(0, 4 + 2 * slots, true);
    v.setUint16(2, inline, true);
    for (let id = 0; id < slots; id++) v.setUint16(4 + 2 * id, offsets.get(id) ?? 0, true);
  });
  w.align(8);
  const table = w.pos;
  w.put(inline, (v) => {
    v.setInt32(0, table - vtable, true);
    for (const id of ids) {
      const field = fields[id];
      const at = offsets.get(id)!;
      if ('int32' in field) v.setInt32(at, field.int32, true);
      else if ('int8' in field) v.setInt8(at, field.int8);
      else if ('bool' in field) v.setUint8(at, field.bool ? 1 : 0);
      else if ('float64' in field) v.setFloat64(at, field.float64, true);
    }
  });
  for (const id of ids) {
    const field = fields[id];
    if (scalarSize(field) !== 4 || 'int32' in field) continue;
    const slot = table + offsets.get(id)!;
    const child = writeChild(w, field);
    w.patchUint32(slot, child - slot);
  }
  return table;
}

function writeString(w: Writer, text: string): number {
  const utf8 = new TextEncoder().encode(text);
  w.align(4);
  const at = w.put(4, (v) => v.setUint32(0, utf8.length, true));
  w.bytes.push(...utf8, 0);
  return at;
}

function writeChild(w: Writer, field: FbField): number {
  if ('string' in field) return writeString(w, field.string);
  if ('table' in field) return writeTable(w, field.table);
  const scalars = (values: readonly number[], size: number, set: (v: DataView, at: number, x: number) => void): number => {
    w.align(8);
    if (size === 8 && (w.pos + 4) % 8 !== 0) w.put(4, () => {});
    return w.put(4 + size * values.length, (v) => {
      v.setUint32(0, values.length, true);
      values.forEach((x, i) => set(v, 4 + size * i, x));
    });
  };
  if ('int32s' in field) return scalars(field.int32s, 4, (v, at, x) => v.setInt32(at, x, true));
  if ('float32s' in field) return scalars(field.float32s, 4, (v, at, x) => v.setFloat32(at, x, true));
  if ('float64s' in field) return scalars(field.float64s, 8, (v, at, x) => v.setFloat64(at, x, true));
  const items: readonly unknown[] = 'tables' in field ? field.tables : 'strings' in field ? field.strings : [];
  w.align(4);
  const vector = w.put(4 + 4 * items.length, (v) => v.setUint32(0, items.length, true));
  items.forEach((item, i) => {
    const slot = vector + 4 + 4 * i;
    const child = typeof item === 'string' ? writeString(w, item) : writeTable(w, item as FbFields);
    w.patchUint32(slot, child - slot);
  });
  return vector;
}

/** A FlatBuffer whose root table has `fields`. */
export function buildFlatBuffer(fields: FbFields): Uint8Array {
  const w = new Writer();
  w.put(4, () => {});
  const root = writeTable(w, fields);
  w.patchUint32(0, root);
  w.align(8);
  return Uint8Array.from(w.bytes);
}

/** A CBM1 file: magic, little-endian core length, core, then `trailer` (e.g. CTR data). */
export function buildCbmFile(core: FbFields, trailer: Uint8Array = new Uint8Array(0)): Uint8Array {
  const fb = buildFlatBuffer(core);
  const out = new Uint8Array(8 + fb.length + trailer.length);
  out.set(new TextEncoder().encode('CBM1'), 0);
  new DataView(out.buffer).setUint32(4, fb.length, true);
  out.set(fb, 8);
  out.set(trailer, 8 + fb.length);
  return out;
}

export interface SmallFloatFeature {
  borders: readonly number[];
  name?: string;
  hasNans?: boolean;
  /** 0 AsIs, 1 AsFalse, 2 AsTrue. */
  nanValueTreatment?: number;
}

export interface SmallModel {
  features: readonly SmallFloatFeature[];
  treeSizes: readonly number[];
  treeSplits: readonly number[];
  leafValues: readonly number[];
  scale?: number;
  bias?: number;
  multiBias?: readonly number[];
  approxDimension?: number;
}

/**
 * The TModelCore fields of a float-only oblivious model (ids as in model.fbs), to build as is
 * or to alter first (add CatFeatures, change ApproxDimension, ...).
 */
export function smallModelCore(model: SmallModel): { core: FbFields; trees: FbFields } {
  const trees: FbFields = {
    0: { int32: model.approxDimension ?? 1 },
    1: { int32s: model.treeSplits },
    2: { int32s: model.treeSizes },
    3: { int32s: model.treeSizes.map((_, t) => model.treeSizes.slice(0, t).reduce((a, b) => a + b, 0)) },
    5: {
      tables: model.features.map((feature, f) => {
        const table: FbFields = { 0: { bool: feature.hasNans ?? false }, 1: { int32: f }, 2: { int32: f }, 3: { float32s: feature.borders } };
        if (feature.name !== undefined) table[4] = { string: feature.name };
        if (feature.nanValueTreatment !== undefined) table[5] = { int8: feature.nanValueTreatment };
        return table;
      }),
    },
    8: { float64s: model.leafValues },
  };
  if (model.scale !== undefined) trees[14] = { float64: model.scale };
  if (model.bias !== undefined) trees[15] = { float64: model.bias };
  if (model.multiBias !== undefined) trees[16] = { float64s: model.multiBias };
  const core: FbFields = {
    0: { string: 'FlabuffersModel_v1' },
    1: { table: trees },
    2: { tables: [{ 0: { string: 'catboost_version_info' }, 1: { string: 'test builder' } }] },
  };
  return { core, trees };
}
