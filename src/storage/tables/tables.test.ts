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

describe('stored dates and timestamps name real days and instants (a value DuckDB would refuse after it was acknowledged)', () => {
  it('isoDate and isoTimestamp', async () => {
    const { isoDate, isoTimestamp } = await import('./define.js');
    expect(['2024-02-29', '2026-12-31'].map((d) => isoDate.safeParse(d).success)).toEqual([true, true]);
    expect(['2026-02-30', '2025-02-29', '2026-13-01', '2026-00-10'].map((d) => isoDate.safeParse(d).success)).toEqual([false, false, false, false]);
    const good = ['2026-01-01T00:00:00Z', '2026-01-01T23:59:59.999Z', '2026-01-01T12:00:00.123456Z', '2026-01-01T12:00Z'];
    expect(good.map((t) => isoTimestamp.safeParse(t).success)).toEqual(good.map(() => true));
    const bad = ['2026-01-01T99:99:99Z', '2026-01-01T24:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T12:60:00Z', '2026-01-01T12:00:00+01:00'];
    expect(bad.map((t) => isoTimestamp.safeParse(t).success)).toEqual(bad.map(() => false));
  });
});
