/**
 * @module storage/duckdb/values
 * Conversions at the DuckDB edge, driven by each table's column list (no per-table code):
 *   write: DATE/TIMESTAMP strings are bound as VARCHAR and CAST in SQL; REPEATED as LIST values;
 *   read:  DATE → 'YYYY-MM-DD', TIMESTAMPTZ → Date#toISOString() (ms precision, 'Z'),
 *          BIGINT → number, lists → arrays; then the table's rowSchema validates the row.
 * Also builds the SQL text (stage, merge, select) so the storage class only sequences statements.
 */
import { BIGINT, BOOLEAN, DOUBLE, LIST, VARCHAR, listValue, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { embeddedName, type AnyTable, type Column } from '../tables/define.js';

export type Entry = [name: string, column: Column];

export function columnsOf(table: AnyTable): Entry[] {
  return Object.entries(table.columns) as Entry[];
}

function scalarType(c: Column): DuckDBType {
  switch (c.type) {
    case 'INT64':
      return BIGINT;
    case 'FLOAT64':
      return DOUBLE;
    case 'BOOL':
      return BOOLEAN;
    default:
      return VARCHAR; // STRING, JSON, and DATE/TIMESTAMP (cast in SQL)
  }
}

/** The type a parameter is bound with (explicit, so empty lists and nulls need no inference). */
export function paramType(c: Column): DuckDBType {
  return c.mode === 'REPEATED' ? LIST(scalarType(c)) : scalarType(c);
}

/** The SQL placeholder for one value: dates and timestamps arrive as ISO text and are cast. */
export function placeholder(c: Column): string {
  if (c.mode === 'REPEATED') return '?';
  if (c.type === 'DATE') return 'CAST(? AS DATE)';
  if (c.type === 'TIMESTAMP') return 'CAST(? AS TIMESTAMPTZ)';
  return '?';
}

export function toParam(c: Column, value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (c.mode === 'REPEATED') return listValue(value as DuckDBValue[]);
  return value as DuckDBValue;
}

function fromScalar(c: Column, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (c.type) {
    case 'DATE':
      return (value as Date).toISOString().slice(0, 10);
    case 'TIMESTAMP':
      return (value as Date).toISOString();
    case 'INT64':
      return Number(value as bigint);
    default:
      return value;
  }
}

/** A row as read by `getRowObjectsJS()` → the table's row shape (not yet validated). */
export function fromDuckDbRow(table: AnyTable, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, c] of columnsOf(table)) {
    const v = raw[name];
    out[name] = c.mode === 'REPEATED' ? ((v as unknown[] | null) ?? []).map((x) => fromScalar(c, x)) : fromScalar(c, v);
  }
  return out;
}

const quote = (name: string) => `"${name}"`;

/** The connection-local staging table a write appends to before merging (types as bound). */
export function stageName(table: AnyTable): string {
  return `stage_${table.dataset}_${table.name}`;
}

/** `CREATE TEMP TABLE` for the stage: DATE/TIMESTAMP as VARCHAR (cast in the merge), lists as lists. */
export function stageDdl(table: AnyTable): string {
  const cols = columnsOf(table).map(([n, c]) => `${quote(n)} ${paramType(c).toString()}`);
  return `CREATE TEMP TABLE IF NOT EXISTS ${stageName(table)} (${cols.join(', ')})`;
}

function castFromStage(name: string, c: Column): string {
  if (c.mode !== 'REPEATED' && c.type === 'DATE') return `CAST(${quote(name)} AS DATE)`;
  if (c.mode !== 'REPEATED' && c.type === 'TIMESTAMP') return `CAST(${quote(name)} AS TIMESTAMPTZ)`;
  return quote(name);
}

/** Keyed upsert of every staged row: `INSERT … SELECT … ON CONFLICT (key) DO UPDATE SET <non-key columns>`. */
export function mergeSql(table: AnyTable): string {
  const entries = columnsOf(table);
  const nonKey = entries.map(([n]) => n).filter((n) => !table.key.includes(n));
  const action = nonKey.length
    ? `DO UPDATE SET ${nonKey.map((n) => `${quote(n)} = excluded.${quote(n)}`).join(', ')}`
    : 'DO NOTHING';
  return (
    `INSERT INTO ${embeddedName(table)} (${entries.map(([n]) => quote(n)).join(', ')}) ` +
    `SELECT ${entries.map(([n, c]) => castFromStage(n, c)).join(', ')} FROM ${stageName(table)} ` +
    `ON CONFLICT (${table.key.map(quote).join(', ')}) ${action}`
  );
}

/** The values of one row in column order, with the type each is appended as. */
export function rowParams(table: AnyTable, row: Record<string, unknown>): Array<[DuckDBValue, DuckDBType]> {
  return columnsOf(table).map(([name, c]) => [toParam(c, row[name]), paramType(c)]);
}

/** `SELECT <every column> FROM t` (explicit list, in definition order). */
export function selectFrom(table: AnyTable): string {
  return `SELECT ${columnsOf(table).map(([n]) => quote(n)).join(', ')} FROM ${embeddedName(table)}`;
}
