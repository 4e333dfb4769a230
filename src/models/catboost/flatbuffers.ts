/**
 * @module models/catboost/flatbuffers
 * A minimal, bounds-checked FlatBuffers reader (little-endian, no npm dependency), enough for
 * CatBoost's model core: tables through their vtables, scalars with schema defaults, strings and
 * vectors of scalars, strings and tables.
 *
 * Every offset is checked against the buffer before it is followed, with the same rules as the
 * FlatBuffers verifier (alignment, vtable size, table size, vector length within the buffer,
 * NUL-terminated strings), so a corrupt buffer throws FlatBufferError: never an out-of-range
 * read, a hang or an allocation larger than the buffer itself. Vector lengths are checked against
 * the bytes that remain before any typed array is allocated.
 */

/** A structural defect in the buffer. Callers wrap it into their own coded error. */
export class FlatBufferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlatBufferError';
  }
}

const UOFFSET_SIZE = 4;
const VOFFSET_SIZE = 2;
/** FlatBuffers' own limit (FLATBUFFERS_MAX_BUFFER_SIZE): offsets are signed 32-bit. */
const MAX_BUFFER_SIZE = 0x7fffffff;

export class FbBuffer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly size: number;

  constructor(bytes: Uint8Array) {
    if (bytes.length > MAX_BUFFER_SIZE) throw new FlatBufferError(`buffer of ${bytes.length} bytes exceeds 2 GiB`);
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.size = bytes.length;
  }

  /** Throws unless [pos, pos+len) lies inside the buffer and pos is aligned to `align`. */
  check(pos: number, len: number, align: number, what: string): void {
    if (!Number.isInteger(pos) || pos < 0 || len < 0 || pos + len > this.size) {
      throw new FlatBufferError(`${what} at offset ${pos} (+${len} bytes) lies outside the ${this.size}-byte buffer`);
    }
    if (align > 1 && pos % align !== 0) {
      throw new FlatBufferError(`${what} at offset ${pos} is not ${align}-byte aligned`);
    }
  }

  /** Follows the uoffset stored at `pos` (checked) and returns the absolute target position. */
  deref(pos: number, what: string): number {
    this.check(pos, UOFFSET_SIZE, UOFFSET_SIZE, `offset to ${what}`);
    const target = pos + this.view.getUint32(pos, true);
    if (target >= this.size) {
      throw new FlatBufferError(`${what} at offset ${target} lies outside the ${this.size}-byte buffer`);
    }
    return target;
  }

  /** The root table. Needs at least the 4-byte root offset. */
  root(what = 'root table'): FbTable {
    if (this.size < UOFFSET_SIZE) throw new FlatBufferError(`buffer of ${this.size} bytes is too short for a root offset`);
    return FbTable.at(this, this.deref(0, what), what);
  }
}

/** Field value types a table field can hold, for verification of fields we do not decode. */
export type FbVectorKind = 'scalar' | 'string' | 'table' | 'struct';

export class FbTable {
  private constructor(
    readonly buf: FbBuffer,
    /** Absolute position of the table (its soffset to the vtable). */
    readonly pos: number,
    private readonly vtable: number,
    private readonly vtableSize: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {}

  /** Verifies the table header and vtable at `pos` (VerifyTableStart) and wraps it. */
  static at(buf: FbBuffer, pos: number, what: string): FbTable {
    buf.check(pos, 4, 4, what);
    const vtable = pos - buf.view.getInt32(pos, true);
    buf.check(vtable, 2 * VOFFSET_SIZE, VOFFSET_SIZE, `vtable of ${what}`);
    const vtableSize = buf.view.getUint16(vtable, true);
    const tableSize = buf.view.getUint16(vtable + VOFFSET_SIZE, true);
    if (vtableSize < 2 * VOFFSET_SIZE || vtableSize % 2 !== 0) {
      throw new FlatBufferError(`vtable of ${what} declares an invalid size ${vtableSize}`);
    }
    buf.check(vtable, vtableSize, VOFFSET_SIZE, `vtable of ${what}`);
    if (tableSize < 4) throw new FlatBufferError(`${what} declares an invalid inline size ${tableSize}`);
    buf.check(pos, tableSize, 4, what);
    return new FbTable(buf, pos, vtable, vtableSize, tableSize, what);
  }

  /** Offset of field `id` inside the table, or 0 when absent. Checks the field fits the table. */
  private fieldOffset(id: number, size: number, name: string): number {
    const slot = 2 * VOFFSET_SIZE + VOFFSET_SIZE * id;
    if (slot + VOFFSET_SIZE > this.vtableSize) return 0;
    const off = this.buf.view.getUint16(this.vtable + slot, true);
    if (off === 0) return 0;
    if (off + size > this.tableSize) {
      throw new FlatBufferError(`field ${this.what}.${name} (+${off}, ${size} bytes) overruns the table's ${this.tableSize} bytes`);
    }
    // The verifier checks scalar alignment relative to the buffer start (check_alignment=true).
    this.buf.check(this.pos + off, size, size, `field ${this.what}.${name}`);
    return off;
  }

  has(id: number, name = `#${id}`): boolean {
    return this.fieldOffset(id, 1, name) !== 0;
  }

  int32(id: number, defaultValue: number, name = `#${id}`): number {
    const off = this.fieldOffset(id, 4, name);
    return off === 0 ? defaultValue : this.buf.view.getInt32(this.pos + off, true);
  }

  int8(id: number, defaultValue: number, name = `#${id}`): number {
    const off = this.fieldOffset(id, 1, name);
    return off === 0 ? defaultValue : this.buf.view.getInt8(this.pos + off);
  }

  bool(id: number, defaultValue: boolean, name = `#${id}`): boolean {
    const off = this.fieldOffset(id, 1, name);
    return off === 0 ? defaultValue : this.buf.view.getUint8(this.pos + off) !== 0;
  }

  float64(id: number, defaultValue: number, name = `#${id}`): number {
    const off = this.fieldOffset(id, 8, name);
    return off === 0 ? defaultValue : this.buf.view.getFloat64(this.pos + off, true);
  }

  /** Absolute target of an offset field (string, vector, table), or undefined when absent. */
  private target(id: number, name: string): number | undefined {
    const off = this.fieldOffset(id, UOFFSET_SIZE, name);
    if (off === 0) return undefined;
    return this.buf.deref(this.pos + off, `${this.what}.${name}`);
  }

  string(id: number, name = `#${id}`): string | undefined {
    const at = this.target(id, name);
    return at === undefined ? undefined : readString(this.buf, at, `${this.what}.${name}`);
  }

  table(id: number, name = `#${id}`): FbTable | undefined {
    const at = this.target(id, name);
    return at === undefined ? undefined : FbTable.at(this.buf, at, `${this.what}.${name}`);
  }

  /**
   * A vector's element count and first element position, verified for `elementSize`-byte
   * elements (VerifyVector). Undefined when the field is absent.
   */
  vector(id: number, elementSize: number, name = `#${id}`): { start: number; length: number } | undefined {
    const at = this.target(id, name);
    if (at === undefined) return undefined;
    return checkVector(this.buf, at, elementSize, `${this.what}.${name}`);
  }

  vectorLength(id: number, elementSize: number, name = `#${id}`): number {
    return this.vector(id, elementSize, name)?.length ?? 0;
  }

  int32Vector(id: number, name = `#${id}`): Int32Array | undefined {
    const vec = this.vector(id, 4, name);
    if (vec === undefined) return undefined;
    const out = new Int32Array(vec.length);
    for (let i = 0; i < vec.length; i++) out[i] = this.buf.view.getInt32(vec.start + 4 * i, true);
    return out;
  }

  float32Vector(id: number, name = `#${id}`): Float32Array | undefined {
    const vec = this.vector(id, 4, name);
    if (vec === undefined) return undefined;
    const out = new Float32Array(vec.length);
    for (let i = 0; i < vec.length; i++) out[i] = this.buf.view.getFloat32(vec.start + 4 * i, true);
    return out;
  }

  float64Vector(id: number, name = `#${id}`): Float64Array | undefined {
    const vec = this.vector(id, 8, name);
    if (vec === undefined) return undefined;
    const out = new Float64Array(vec.length);
    for (let i = 0; i < vec.length; i++) out[i] = this.buf.view.getFloat64(vec.start + 8 * i, true);
    return out;
  }

  /** Each element of a vector of tables, verified as a table. */
  tableVector(id: number, name = `#${id}`): FbTable[] | undefined {
    const vec = this.vector(id, UOFFSET_SIZE, name);
    if (vec === undefined) return undefined;
    const out: FbTable[] = [];
    for (let i = 0; i < vec.length; i++) {
      const what = `${this.what}.${name}[${i}]`;
      out.push(FbTable.at(this.buf, this.buf.deref(vec.start + UOFFSET_SIZE * i, what), what));
    }
    return out;
  }

  stringVector(id: number, name = `#${id}`): string[] | undefined {
    const vec = this.vector(id, UOFFSET_SIZE, name);
    if (vec === undefined) return undefined;
    const out: string[] = [];
    for (let i = 0; i < vec.length; i++) {
      const what = `${this.what}.${name}[${i}]`;
      out.push(readString(this.buf, this.buf.deref(vec.start + UOFFSET_SIZE * i, what), what));
    }
    return out;
  }
}

function checkVector(buf: FbBuffer, at: number, elementSize: number, what: string): { start: number; length: number } {
  buf.check(at, UOFFSET_SIZE, UOFFSET_SIZE, `length of ${what}`);
  const length = buf.view.getUint32(at, true);
  const start = at + UOFFSET_SIZE;
  // Compare in doubles: length * elementSize cannot overflow, and the check precedes any allocation.
  if (length * elementSize > buf.size - start) {
    throw new FlatBufferError(`${what} declares ${length} elements of ${elementSize} bytes, past the end of the buffer`);
  }
  return { start, length };
}

// Not fatal: the FlatBuffers verifier does not check UTF-8, so neither do we (bad bytes become U+FFFD).
const utf8 = new TextDecoder('utf-8');

function readString(buf: FbBuffer, at: number, what: string): string {
  const { start, length } = checkVector(buf, at, 1, what);
  // The verifier requires the terminating NUL inside the buffer.
  buf.check(start + length, 1, 1, `terminator of ${what}`);
  if (buf.bytes[start + length] !== 0) throw new FlatBufferError(`${what} is not NUL-terminated`);
  return utf8.decode(buf.bytes.subarray(start, start + length));
}
