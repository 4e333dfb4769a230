/**
 * @module storage/bigquery/sql
 * SQL text for the BigQuery storage, derived from the table definitions (pure, testable).
 * Rows travel as ONE JSON string parameter and are unpacked in SQL (`JSON_QUERY_ARRAY`,
 * `JSON_VALUE`, CAST per column type): a whole date of graded rows is one parameter instead of
 * tens of thousands, nulls and empty arrays need no type hints, and the same source feeds MERGE.
 */
import type { AnyTable, Column } from '../tables/define.js';

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

/** `project.dataset.table`, quoted. */
export function tableRef(projectId: string, table: AnyTable): string {
  return `\`${projectId}.${table.dataset}.${table.name}\``;
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

/**
 * Keyed upsert from @rows. With `replaceDate`, rows of that game date missing from @rows are
 * deleted in the same statement (a date replaced atomically, no multi-statement transaction).
 */
export function mergeSql(projectId: string, table: AnyTable, opts: { replaceDateParam?: string } = {}): string {
  const cols = columnsOf(table).map(([n]) => n);
  const nonKey = cols.filter((n) => !table.key.includes(n));
  const lines = [
    `MERGE ${tableRef(projectId, table)} AS T USING (${rowsSource(table)}) AS S`,
    `ON ${table.key.map((k: string) => `T.${q(k)} = S.${q(k)}`).join(' AND ')}`,
  ];
  if (nonKey.length) lines.push(`WHEN MATCHED THEN UPDATE SET ${nonKey.map((n) => `${q(n)} = S.${q(n)}`).join(', ')}`);
  lines.push(`WHEN NOT MATCHED THEN INSERT (${cols.map(q).join(', ')}) VALUES (${cols.map((n) => `S.${q(n)}`).join(', ')})`);
  if (opts.replaceDateParam) lines.push(`WHEN NOT MATCHED BY SOURCE AND T.game_date = @${opts.replaceDateParam} THEN DELETE`);
  return lines.join('\n');
}

/** `SELECT <every column> FROM <table>` (explicit list, definition order). */
export function selectFrom(projectId: string, table: AnyTable, alias = ''): string {
  const prefix = alias ? `${alias}.` : '';
  return `SELECT ${columnsOf(table).map(([n]) => `${prefix}${q(n)}`).join(', ')} FROM ${tableRef(projectId, table)}${alias ? ` AS ${alias}` : ''}`;
}

/**
 * The rows of a filter with one row per `partitionBy` group, the first by `orderBy`
 * (ROW_NUMBER in a subquery: portable to the emulator, unlike QUALIFY).
 */
export function firstPerGroup(projectId: string, table: AnyTable, where: string, partitionBy: string, orderBy: string, tail: string): string {
  const cols = columnsOf(table).map(([n]) => q(n)).join(', ');
  return (
    `SELECT ${cols} FROM (SELECT ${cols}, ROW_NUMBER() OVER (PARTITION BY ${partitionBy} ORDER BY ${orderBy}) AS _rn ` +
    `FROM ${tableRef(projectId, table)} WHERE ${where}) WHERE _rn = 1 ${tail}`
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
