import { describe, expect, it } from 'vitest';
import { ALL_TABLES, EMBEDDED_ONLY_TABLES, bigQuerySchema, duckDbColumnType, duckDbDdl, embeddedName, type AnyTable, type Column } from './index.js';

/** Parse `CREATE TABLE` column lines back out of the DDL: name → { type, notNull }. */
function ddlColumns(table: AnyTable): Map<string, { type: string; notNull: boolean }> {
  const body = duckDbDdl(table).split(`CREATE TABLE IF NOT EXISTS ${embeddedName(table)} (`)[1];
  const cols = new Map<string, { type: string; notNull: boolean }>();
  for (const line of body.split('\n')) {
    const m = /^\s+"([^"]+)" ([^\s,]+)( NOT NULL)?,?$/.exec(line);
    if (m) cols.set(m[1], { type: m[2], notNull: Boolean(m[3]) });
  }
  return cols;
}

const DUCKDB_FOR_BQ: Record<string, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMPTZ',
};

describe.each([...ALL_TABLES, ...EMBEDDED_ONLY_TABLES].map((t) => [`${t.dataset}.${t.name}`, t as AnyTable]))('table %s', (_name, table) => {
  const bq = bigQuerySchema(table);
  const ddl = ddlColumns(table);

  it('BigQuery schema and DuckDB DDL list the same columns in the same order', () => {
    expect([...ddl.keys()]).toEqual(bq.map((f) => f.name));
  });

  it('types and nullability agree', () => {
    for (const f of bq) {
      const d = ddl.get(f.name)!;
      const base = DUCKDB_FOR_BQ[f.type];
      expect(d.type, f.name).toBe(f.mode === 'REPEATED' ? `${base}[]` : base);
      expect(d.type, f.name).toBe(duckDbColumnType(table.columns[f.name] as Column));
      // Only REQUIRED columns are NOT NULL (a REPEATED column may be an empty list, stored as NULL-free).
      expect(d.notNull, f.name).toBe(f.mode === 'REQUIRED');
    }
  });

  it('every key column exists, is REQUIRED, and is the DuckDB primary key', () => {
    expect(table.key.length).toBeGreaterThan(0);
    for (const k of table.key) expect(bq.find((f) => f.name === k)?.mode, k).toBe('REQUIRED');
    expect(duckDbDdl(table)).toContain(`PRIMARY KEY (${table.key.map((k: string) => `"${k}"`).join(', ')})`);
  });

  it('partition and cluster columns exist (partitioning on a DATE column)', () => {
    if (table.partitionBy) expect(bq.find((f) => f.name === table.partitionBy)?.type).toBe('DATE');
    for (const c of table.clusterBy ?? []) expect(bq.some((f) => f.name === c), c).toBe(true);
  });

  it('every column has a description', () => {
    for (const f of bq) expect(f.description.trim(), f.name).not.toBe('');
  });
});
