/**
 * @module storage/duckdb/write-codec
 * One logged write (a push's prediction rows and outcome) folded, and as the ingest log stores it
 * (a record's payload, ingest-log.ts). A table's rows are kept by column, and a column whose value
 * is the same in every row is kept once. A six-model push's prediction rows share 21 of their 35
 * values (the request, the line, the ~1.5 KB features snapshot, the message id), so a push's
 * record is ~3 KB instead of ~15 KB, and a write waiting in memory ~5.5 KB instead of ~14.5 KB.
 * The storage thread's client folds a push's write on the event loop (storage-thread.ts): the
 * folded write is what crosses to the thread (cheaper to clone) and what the thread serialises
 * for its log (instead of the six rows), bench/README.md "Handing a write to the storage thread".
 *
 * Values go through V8's serializer (`v8.serialize`, and structured clone across threads), exact
 * for every JavaScript value a row holds (strings, finite and non-finite numbers, -0, null,
 * arrays), unlike JSON; "the same value" is `Object.is`, or arrays of the same length whose
 * elements are `Object.is`-equal. Unfolded rows share such a value (one string, one array): rows
 * are read, never changed, once written.
 *
 * Layout: `v8.serialize([COLUMNAR, ...tables])`, each table
 * `[logName, rowCount, columnNames, shared, values]` where `shared[j]` says whether `values[j]` is
 * the one value of column j or the array of its rowCount values. A table whose rows do not all
 * have the same own keys, or have a key `__proto__` (never the case for schema-checked rows), is
 * stored row by row: `[logName, rows]`. Records written before this format
 * (`v8.serialize([[logName, rows], …])`, no COLUMNAR first) decode too, so a log left by an
 * earlier version still replays.
 */
import { deserialize, serialize } from 'node:v8';
import { PwError } from '../../errors.js';
import type { AnyTable } from '../tables/index.js';
import { message } from './serial-queue.js';
import type { Rows } from './table-writer.js';

/** One write as logged: each table's rows, stored together. */
export type LoggedParts = ReadonlyArray<readonly [AnyTable, Rows]>;

/** The first element of a columnar payload (a record of the earlier format starts with an array). */
const COLUMNAR = 2;

type Row = Record<string, unknown>;
type RowWiseTable = [name: string, rows: Rows];
type ColumnarTable = [name: string, rowCount: number, names: string[], shared: boolean[], values: unknown[]];

/** The name a record gives a table (what replay looks tables up in). */
export const logName = (table: AnyTable): string => `${table.dataset}.${table.name}`;

/** Whether two values of a column are the same value (see the module comment). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Whether every row has exactly the own (enumerable) keys `names` of the first row. */
function sameKeys(rows: Rows, names: readonly string[]): boolean {
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const keys = Object.keys(row);
    if (keys.length !== names.length) return false;
    for (let j = 0; j < keys.length; j++) {
      // Rows built by one object literal list their keys in the same order: one comparison each.
      if (keys[j] !== names[j] && !Object.hasOwn(rows[0]!, keys[j]!)) return false;
    }
  }
  return true;
}

function encodeTable(table: AnyTable, rows: Rows): RowWiseTable | ColumnarTable {
  const name = logName(table);
  if (rows.length === 0) return [name, rows];
  const names = Object.keys(rows[0]!);
  // An own key `__proto__` cannot be restored by assignment (decodeTable would set the row's
  // prototype instead): such rows are stored as they are, as rows whose keys differ.
  if (names.includes('__proto__') || !sameKeys(rows, names)) return [name, rows];
  const shared: boolean[] = [];
  const values: unknown[] = [];
  for (const column of names) {
    const first = rows[0]![column];
    let same = true;
    for (let i = 1; i < rows.length && same; i++) same = sameValue(rows[i]![column], first);
    shared.push(same);
    values.push(same ? first : rows.map((row) => row[column]));
  }
  return [name, rows.length, names, shared, values];
}

/** One write folded (see the module comment): plain data, what `encodeParts` serialises. */
export type FoldedWrite = readonly [typeof COLUMNAR, ...Array<RowWiseTable | ColumnarTable>];

/** `parts` folded: each table by column, a value shared by every row once (see the module comment). */
export function foldParts(parts: LoggedParts): FoldedWrite {
  return [COLUMNAR, ...parts.map(([table, rows]) => encodeTable(table, rows))];
}

/**
 * A write that cannot be folded (not rows) or unfolded (not a folded write of known tables), as
 * the caller is refused it: PW_ERR_SINK_WRITE, retryable, nothing written.
 */
export function unfoldableWrite(err: unknown): PwError {
  return new PwError('PW_ERR_SINK_WRITE', { cause: err }, 'folded write', message(err));
}

/** The payload of one folded write: `v8.serialize(folded)`. */
export function encodeFolded(folded: FoldedWrite): Buffer {
  return serialize(folded);
}

/** The payload of one write: `parts` folded, then serialised. */
export function encodeParts(parts: LoggedParts): Buffer {
  return encodeFolded(foldParts(parts));
}

function decodeTable(entry: RowWiseTable | ColumnarTable): [string, Rows] {
  if (entry.length === 2) return entry;
  const [name, rowCount, names, shared, values] = entry;
  const wellFormed =
    Number.isInteger(rowCount) &&
    names.length === shared.length &&
    names.length === values.length &&
    shared.every((one, j) => one || (Array.isArray(values[j]) && (values[j] as unknown[]).length === rowCount));
  if (!wellFormed) throw new Error(`a malformed folded table ${name}`);
  const rows: Row[] = [];
  for (let i = 0; i < rowCount; i++) {
    const row: Row = {};
    for (let j = 0; j < names.length; j++) row[names[j]!] = shared[j] ? values[j] : (values[j] as unknown[])[i];
    rows.push(row);
  }
  return [name, rows];
}

/**
 * A folded write (`foldParts`, or the value an earlier version's payload deserialises to) → each
 * table and its rows, in order, the tables looked up by name in `tables`. Throws an Error for a
 * table `tables` does not have or a value that is not a write.
 */
export function unfoldParts(folded: unknown, tables: ReadonlyMap<string, AnyTable>): LoggedParts {
  if (!Array.isArray(folded)) throw new Error('not a logged write');
  const entries = (folded[0] === COLUMNAR ? folded.slice(1) : folded) as Array<RowWiseTable | ColumnarTable>; // else the earlier format
  return entries.map((entry) => {
    const [name, rows] = decodeTable(entry);
    const table = tables.get(name);
    if (!table) throw new Error(`it names unknown table ${name}`);
    return [table, rows] as const;
  });
}

/**
 * `encodeParts`' payload (or an earlier version's) → each table and its rows (`unfoldParts`).
 * Throws what `unfoldParts` throws, and what `v8.deserialize` throws for bytes that are not such
 * a payload; replay reports either with the record's place (ingest-log.ts).
 */
export function decodeParts(payload: Uint8Array, tables: ReadonlyMap<string, AnyTable>): LoggedParts {
  return unfoldParts(deserialize(payload), tables);
}
