/**
 * @module models/onnx-model-info
 * Reads the few facts ONNX Runtime does not expose from an .onnx file: `metadata_props`, the
 * input's declared width and, for a CatBoost export (one ai.onnx.ml TreeEnsembleRegressor), the
 * tree count, each tree's depth, its leaf values and base values (for the load-time magnitude
 * checks of models/model-checks.ts). A minimal protobuf walker over the ONNX schema
 * (onnx/onnx.proto): only the fields named below are decoded; everything else is skipped.
 *
 * Tree depths: the longest root-to-leaf path of each tree (CatBoost exports each oblivious tree
 * of depth d as a full binary tree of 2^(d+1) - 1 nodes).
 */

export interface OnnxModelInfo {
  producerName: string;
  producerVersion: string;
  metadata: Record<string, string>;
  /** First graph input: name and declared last dimension (undefined when symbolic). */
  inputName: string | undefined;
  inputWidth: number | undefined;
  /** Trees of the first TreeEnsembleRegressor/Classifier node; empty when there is none. */
  treeDepths: number[];
  treeCount: number;
  /** That node's leaf values (`target_weights` / `class_weights`) and `base_values` (float32). */
  leafWeights: number[];
  baseValues: number[];
}

// Wire types
const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

interface Field {
  no: number;
  wire: number;
  /** varint value (as number; ONNX ints we read fit in 2^53) */
  int?: number;
  /** fixed32 payload (a float32 for ONNX `floats`) */
  fixed32?: Uint8Array;
  /** length-delimited payload */
  bytes?: Uint8Array;
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let shift = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * shift;
      if ((b & 0x80) === 0) return result;
      shift *= 128;
    }
    throw new Error('varint too long');
  }
  field(): Field {
    const tag = this.varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    switch (wire) {
      case VARINT:
        return { no, wire, int: this.varint() };
      case I64:
        this.skip(8);
        return { no, wire };
      case I32: {
        const start = this.pos;
        this.skip(4);
        return { no, wire, fixed32: this.buf.subarray(start, start + 4) };
      }
      case LEN: {
        const len = this.varint();
        const start = this.pos;
        this.skip(len);
        return { no, wire, bytes: this.buf.subarray(start, start + len) };
      }
      default:
        throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
  private skip(n: number): void {
    if (this.pos + n > this.buf.length) throw new Error('truncated protobuf field');
    this.pos += n;
  }
}

function* fields(buf: Uint8Array): Generator<Field> {
  const r = new Reader(buf);
  while (!r.done) yield r.field();
}

const utf8 = new TextDecoder();

/** Repeated int64 field: packed (LEN) or one varint per occurrence. */
function pushInts(out: number[], f: Field): void {
  if (f.wire === VARINT && f.int !== undefined) out.push(f.int);
  else if (f.wire === LEN && f.bytes) {
    const r = new Reader(f.bytes);
    while (!r.done) out.push(r.varint());
  }
}

/** Repeated float field: packed (LEN, little-endian float32s) or one fixed32 per occurrence. */
function pushFloats(out: number[], f: Field): void {
  const bytes = f.wire === I32 ? f.fixed32 : f.wire === LEN ? f.bytes : undefined;
  if (!bytes || bytes.length % 4 !== 0) return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length; i += 4) out.push(view.getFloat32(i, true));
}

interface Attribute {
  name: string;
  ints: number[];
  strings: string[];
  floats: number[];
}

function parseAttribute(buf: Uint8Array): Attribute {
  const attr: Attribute = { name: '', ints: [], strings: [], floats: [] };
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) attr.name = utf8.decode(f.bytes);
    else if (f.no === 7) pushFloats(attr.floats, f);
    else if (f.no === 8) pushInts(attr.ints, f);
    else if (f.no === 9 && f.bytes) attr.strings.push(utf8.decode(f.bytes));
  }
  return attr;
}

/** Depth of every tree from the TreeEnsemble node attributes (in tree-id order). */
export function treeDepthsFromNodes(treeIds: number[], nodeIds: number[], modes: string[], trueIds: number[], falseIds: number[]): number[] {
  const byTree = new Map<number, Map<number, { leaf: boolean; t: number; f: number }>>();
  for (let i = 0; i < treeIds.length; i++) {
    let nodes = byTree.get(treeIds[i]!);
    if (!nodes) byTree.set(treeIds[i]!, (nodes = new Map()));
    nodes.set(nodeIds[i]!, { leaf: modes[i] === 'LEAF', t: trueIds[i]!, f: falseIds[i]! });
  }
  const depths: number[] = [];
  for (const id of [...byTree.keys()].sort((a, b) => a - b)) {
    const nodes = byTree.get(id)!;
    // Walk from the root (iteratively): cheap, and right for unbalanced trees too.
    let max = 0;
    const stack: Array<[number, number]> = [[0, 0]];
    const seen = new Set<number>();
    while (stack.length > 0) {
      const [nodeId, depth] = stack.pop()!;
      const node = nodes.get(nodeId);
      if (!node || node.leaf || seen.has(nodeId)) {
        max = Math.max(max, depth);
        continue;
      }
      seen.add(nodeId);
      stack.push([node.t, depth + 1], [node.f, depth + 1]);
    }
    depths.push(max);
  }
  return depths;
}

function parseNodeTrees(buf: Uint8Array): { depths: number[]; leafWeights: number[]; baseValues: number[] } | undefined {
  let opType = '';
  const attrs: Attribute[] = [];
  for (const f of fields(buf)) {
    if (f.no === 4 && f.bytes) opType = utf8.decode(f.bytes);
    else if (f.no === 5 && f.bytes) attrs.push(parseAttribute(f.bytes));
  }
  if (opType !== 'TreeEnsembleRegressor' && opType !== 'TreeEnsembleClassifier') return undefined;
  const get = (name: string): Attribute | undefined => attrs.find((a) => a.name === name);
  const treeIds = get('nodes_treeids')?.ints ?? [];
  const depths = treeDepthsFromNodes(
    treeIds,
    get('nodes_nodeids')?.ints ?? [],
    get('nodes_modes')?.strings ?? [],
    get('nodes_truenodeids')?.ints ?? [],
    get('nodes_falsenodeids')?.ints ?? [],
  );
  return {
    depths,
    leafWeights: get('target_weights')?.floats ?? get('class_weights')?.floats ?? [],
    baseValues: get('base_values')?.floats ?? [],
  };
}

/** Last dimension of a ValueInfoProto's tensor shape (features per row). */
function parseValueInfo(buf: Uint8Array): { name: string; width: number | undefined } {
  let name = '';
  let width: number | undefined;
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) name = utf8.decode(f.bytes);
    else if (f.no === 2 && f.bytes) {
      for (const t of fields(f.bytes)) {
        if (t.no !== 1 || !t.bytes) continue; // TypeProto.tensor_type
        for (const tensor of fields(t.bytes)) {
          if (tensor.no !== 2 || !tensor.bytes) continue; // shape
          const dims: Array<number | undefined> = [];
          for (const d of fields(tensor.bytes)) {
            if (d.no !== 1 || !d.bytes) continue;
            let value: number | undefined;
            for (const dv of fields(d.bytes)) if (dv.no === 1 && dv.int !== undefined) value = dv.int;
            dims.push(value);
          }
          width = dims.at(-1);
        }
      }
    }
  }
  return { name, width };
}

/** Parse the facts above from ONNX ModelProto bytes. Throws on malformed protobuf. */
export function readOnnxModelInfo(bytes: Uint8Array): OnnxModelInfo {
  const info: OnnxModelInfo = {
    producerName: '',
    producerVersion: '',
    metadata: {},
    inputName: undefined,
    inputWidth: undefined,
    treeDepths: [],
    treeCount: 0,
    leafWeights: [],
    baseValues: [],
  };
  let sawGraph = false;
  for (const f of fields(bytes)) {
    if (f.no === 2 && f.bytes) info.producerName = utf8.decode(f.bytes);
    else if (f.no === 3 && f.bytes) info.producerVersion = utf8.decode(f.bytes);
    else if (f.no === 14 && f.bytes) {
      let key = '';
      let value = '';
      for (const kv of fields(f.bytes)) {
        if (kv.no === 1 && kv.bytes) key = utf8.decode(kv.bytes);
        else if (kv.no === 2 && kv.bytes) value = utf8.decode(kv.bytes);
      }
      info.metadata[key] = value;
    } else if (f.no === 7 && f.bytes) {
      sawGraph = true;
      let sawTrees = false;
      for (const g of fields(f.bytes)) {
        if (g.no === 1 && g.bytes && !sawTrees) {
          const trees = parseNodeTrees(g.bytes);
          if (trees) {
            info.treeDepths = trees.depths;
            info.treeCount = trees.depths.length;
            info.leafWeights = trees.leafWeights;
            info.baseValues = trees.baseValues;
            sawTrees = true;
          }
        } else if (g.no === 11 && g.bytes && info.inputName === undefined) {
          const vi = parseValueInfo(g.bytes);
          info.inputName = vi.name;
          info.inputWidth = vi.width;
        }
      }
    }
  }
  if (!sawGraph) throw new Error('no graph in ONNX model');
  return info;
}
