/**
 * @module storage/bigquery/sql
 * SQL text for the BigQuery storage, derived from the table definitions (pure, testable).
 * Rows travel as ONE JSON string parameter and are unpacked in SQL (`JSON_QUERY_ARRAY`,
 * `JSON_VALUE`, CAST per column type): a whole date of graded rows is one parameter instead of
 * tens of thousands, and nulls and empty arrays need no type hints.
 */
import type { AnyTable, Column } from '../tables/define.js';
import { datasetOf, type Placement } from './datasets.js';

export type Entry = [name: string, column: Column];

export function columnsOf(table: AnyTable): Entry[] {
  return Object.entries(table.columns) as Entry[];
}

const SQL_TYPE: Record<Column['type'], string> = {
  STRING: 'STRING',
  JSON: 'STRING',
  INT64: 'INT64',
  FLOAT64: 'FLOAT64',
  BOOL: 'BOOL',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMP',
};

const q = (name: string) => `\`${name}\``;

/** `project.dataset.table`, quoted; the dataset by the table's role (datasets.ts). */
export function tableRef(at: Placement, table: AnyTable): string {
  return `\`${at.projectId}.${datasetOf(table, at.datasets)}.${table.name}\``;
}

function extract(name: string, c: Column): string {
  const t = SQL_TYPE[c.type];
  if (c.mode === 'REPEATED') {
    const item = t === 'STRING' ? 'JSON_VALUE(x)' : `CAST(JSON_VALUE(x) AS ${t})`;
    return `ARRAY(SELECT ${item} FROM UNNEST(JSON_QUERY_ARRAY(r, '$.${name}')) AS x WITH OFFSET AS o ORDER BY o) AS ${q(name)}`;
  }
  const v = `JSON_VALUE(r, '$.${name}')`;
  return `${t === 'STRING' ? v : `CAST(${v} AS ${t})`} AS ${q(name)}`;
}

/** `SELECT <typed columns> FROM UNNEST(JSON_QUERY_ARRAY(@rows)) AS r`: the rows parameter as a table. */
export function rowsSource(table: AnyTable, param = 'rows'): string {
  return `SELECT ${columnsOf(table).map(([n, c]) => extract(n, c)).join(', ')} FROM UNNEST(JSON_QUERY_ARRAY(@${param})) AS r`;
}

/** Separator between key parts in `keyString` (a control character no key value contains). */
export const KEY_SEPARATOR = '\u001f';

/** The key of a row as one string, computed the same way in JS and (keyExpr) in SQL. */
export function keyString(table: AnyTable, row: Record<string, unknown>): string {
  return table.key.map((k: string) => String(row[k])).join(KEY_SEPARATOR);
}

function keyExpr(table: AnyTable): string {
  const parts = table.key.map((k: string) => `CAST(${q(k)} AS STRING)`);
  return parts.length === 1 ? parts[0] : `CONCAT(${parts.join(", '\\x1f', ")})`;
}

function insertFromRows(at: Placement, table: AnyTable): string {
  const cols = columnsOf(table).map(([n]) => q(n));
  return `INSERT INTO ${tableRef(at, table)} (${cols.join(', ')}) ${rowsSource(table)}`;
}

/**
 * Keyed upsert of @rows (@keys = their keyString values) as one multi-statement transaction:
 * delete the rows with those keys, insert the new ones. (Not MERGE: the emulator's MERGE
 * supports a single-column ON clause only; this works on both and is atomic on BigQuery.)
 */
export function upsertScript(at: Placement, table: AnyTable): string {
  return [
    'BEGIN TRANSACTION;',
    `DELETE FROM ${tableRef(at, table)} WHERE ${keyExpr(table)} IN UNNEST(@keys);`,
    `${insertFromRows(at, table)};`,
    'COMMIT TRANSACTION;',
  ].join('\n');
}

/**
 * Replace the rows of @game_date by @rows, atomically (one transaction). With `bySystem`, only
 * the rows whose system_id is in @system_ids are deleted (grading rewrites only the systems it
 * graded, never another writer's rows).
 */
export function replaceDateScript(at: Placement, table: AnyTable, opts: { bySystem?: boolean } = {}): string {
  return [
    'BEGIN TRANSACTION;',
    `DELETE FROM ${tableRef(at, table)} WHERE ${replaceDateWhere(opts)};`,
    `${insertFromRows(at, table)};`,
    'COMMIT TRANSACTION;',
  ].join('\n');
}

/** The DELETE condition of replaceDate: the date, and with `bySystem` the @system_ids only. */
export function replaceDateWhere(opts: { bySystem?: boolean } = {}): string {
  return `game_date = @game_date${opts.bySystem ? ' AND system_id IN UNNEST(@system_ids)' : ''}`;
}

/** `SELECT <every column> FROM <table>` (explicit list, definition order). */
export function selectFrom(at: Placement, table: AnyTable, alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return `SELECT ${columnsOf(table).map(([n]) => `${prefix}${q(n)}`).join(', ')} FROM ${tableRef(at, table)}${alias ? ` AS ${alias}` : ''}`;
}

/**
 * The rows of a filter with one row per `partitionBy` group, the first by `orderBy`
 * (ROW_NUMBER in a subquery: portable to the emulator, unlike QUALIFY).
 */
export function firstPerGroup(at: Placement, table: AnyTable, where: string, partitionBy: string, orderBy: string, tail: string): string {
  const cols = columnsOf(table).map(([n]) => q(n)).join(', ');
  return (
    `SELECT ${cols} FROM (SELECT ${cols}, ROW_NUMBER() OVER (PARTITION BY ${partitionBy} ORDER BY ${orderBy}) AS _rn ` +
    `FROM ${tableRef(at, table)} WHERE ${where}) WHERE _rn = 1 ${tail}`
  );
}

/** A row as the client returns it → the table's row shape (DATE/TIMESTAMP wrappers unwrapped). */
export function fromBigQueryRow(table: AnyTable, raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, c] of columnsOf(table)) {
    const conv = (v: unknown): unknown => {
      if (v === null || v === undefined) return null;
      const inner = typeof v === 'object' && v !== null && 'value' in v ? (v as { value: unknown }).value : v;
      if (c.type === 'TIMESTAMP') return new Date(String(inner)).toISOString();
      if (c.type === 'DATE') return String(inner);
      if (c.type === 'INT64') return Number(inner);
      return inner;
    };
    const v = raw[name];
    out[name] = c.mode === 'REPEATED' ? ((v as unknown[] | null) ?? []).map(conv) : conv(v);
  }
  return out;
}
