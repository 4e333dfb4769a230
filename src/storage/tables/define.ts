/**
 * @module storage/tables/define
 * One definition per table: each column once (name, type, nullability, description). The row
 * type (zod, `z.infer`), the BigQuery schema and the DuckDB DDL are all derived from it, so the
 * two storages cannot drift apart (tables.test.ts checks the derived forms agree).
 *
 * Value conventions shared by both storages (the storage layer converts at its edge):
 *   DATE      'YYYY-MM-DD' string
 *   TIMESTAMP ISO-8601 string with 'Z'
 *   JSON      a JSON text string (BigQuery STRING column; keeps the emulator and DuckDB simple)
 *   REPEATED  a JS array of the element type
 */
import { z } from 'zod';

export type BqType = 'STRING' | 'INT64' | 'FLOAT64' | 'BOOL' | 'DATE' | 'TIMESTAMP' | 'JSON';
export type Mode = 'REQUIRED' | 'NULLABLE' | 'REPEATED';

/** `new Date(s + 'T00:00:00Z')` is valid and prints back as `s`. */
function dateRoundTrips(s: string): boolean {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/**
 * True when `s` (YYYY-MM-DD, four-digit year) names a real day of the proleptic Gregorian
 * calendar, as JavaScript dates count: month 01-12, day 01 to the month's length (February 29
 * only in leap years: divisible by 4, centuries only when divisible by 400). The same answer as
 * "`new Date(s + 'T00:00:00Z')` is valid and prints back as `s`" for every string (request.test.ts
 * checks), without building a Date per request (issue 10).
 */
export function isRealCalendarDay(s: string): boolean {
  // zod runs this refine even when the regex has failed: other strings keep the Date round trip
  // ('+010000-01' passes it), so the list of issues, and the reason stored, stays the same.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return dateRoundTrips(s);
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(5, 7));
  const day = Number(s.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const length = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= length;
}

/** A stored DATE: YYYY-MM-DD naming a real day (DuckDB and BigQuery refuse 2026-02-30 at write time). */
export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a YYYY-MM-DD date').refine(isRealCalendarDay, 'not a real calendar date');
/** A stored TIMESTAMP: ISO-8601 UTC ('Z') naming a real instant (2026-01-01T99:99:99Z is refused, as DuckDB and BigQuery would). */
export const isoTimestamp = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/, 'expected an ISO-8601 UTC timestamp')
  .refine(isRealUtcInstant, 'not a real date and time');

/** `YYYY-MM-DDThh:mm[:ss[.fff…]]Z` with a real day, hours < 24, minutes and seconds < 60. */
export function isRealUtcInstant(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?Z$/.exec(s);
  return m !== null && isRealCalendarDay(m[1]!) && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4] ?? 0) < 60;
}

export class Column<Z extends z.ZodType = z.ZodType> {
  constructor(
    readonly type: BqType,
    readonly mode: Mode,
    readonly description: string,
    readonly zod: Z,
  ) {}

  nullable(): Column<z.ZodNullable<Z>> {
    if (this.mode !== 'REQUIRED') throw new Error('only a REQUIRED column can be made nullable');
    return new Column(this.type, 'NULLABLE', this.description, this.zod.nullable());
  }
}

const base = {
  STRING: () => z.string(),
  INT64: () => z.number().int(),
  FLOAT64: () => z.number(),
  BOOL: () => z.boolean(),
  DATE: () => isoDate,
  TIMESTAMP: () => isoTimestamp,
  JSON: () => z.string(),
} as const;

/** Column builders: `col.string('what it is')`, `col.float('…').nullable()`, `col.strings('…')`. */
export const col = {
  string: (d: string) => new Column('STRING', 'REQUIRED', d, base.STRING()),
  int: (d: string) => new Column('INT64', 'REQUIRED', d, base.INT64()),
  float: (d: string) => new Column('FLOAT64', 'REQUIRED', d, base.FLOAT64()),
  bool: (d: string) => new Column('BOOL', 'REQUIRED', d, base.BOOL()),
  date: (d: string) => new Column('DATE', 'REQUIRED', d, base.DATE()),
  timestamp: (d: string) => new Column('TIMESTAMP', 'REQUIRED', d, base.TIMESTAMP()),
  json: (d: string) => new Column('JSON', 'REQUIRED', d, base.JSON()),
  /** An enum stored as STRING. */
  enum: <const T extends readonly [string, ...string[]]>(values: T, d: string) =>
    new Column('STRING', 'REQUIRED', `${d} (${values.join(' | ')})`, z.enum(values)),
  strings: (d: string) => new Column('STRING', 'REPEATED', d, z.array(z.string())),
  floats: (d: string) => new Column('FLOAT64', 'REPEATED', d, z.array(z.number())),
};

type ColumnMap = Record<string, Column>;
type RowShape<C extends ColumnMap> = { [K in keyof C]: C[K]['zod'] };

export interface TableDefinition<C extends ColumnMap = ColumnMap> {
  /** BigQuery dataset (the embedded DB uses `<dataset>.<name>` as a schema-qualified name). */
  dataset: string;
  name: string;
  description: string;
  columns: C;
  /** Columns that identify a row: embedded writes upsert on them. */
  key: ReadonlyArray<keyof C & string>;
  partitionBy?: keyof C & string;
  clusterBy?: ReadonlyArray<keyof C & string>;
  /**
   * BigQuery: every query must filter on `partitionBy` (set only where every read filters by date,
   * so a forgotten filter fails instead of scanning the whole table). Used by `bigquery init`.
   */
  requirePartitionFilter?: boolean;
  rowSchema: z.ZodObject<RowShape<C>>;
}

export function defineTable<const C extends ColumnMap>(spec: Omit<TableDefinition<C>, 'rowSchema'>): TableDefinition<C> {
  const shape = Object.fromEntries(Object.entries(spec.columns).map(([k, c]) => [k, c.zod])) as RowShape<C>;
  for (const k of spec.key) {
    if (!(k in spec.columns)) throw new Error(`table ${spec.name}: key column ${k} is not defined`);
  }
  return { ...spec, rowSchema: z.object(shape).strict() };
}

export type RowOf<T extends { rowSchema: z.ZodType }> = z.infer<T['rowSchema']>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTable = TableDefinition<any>;

export interface BigQueryField {
  name: string;
  type: Exclude<BqType, 'JSON'>;
  mode: Mode;
  description: string;
}

/** BigQuery schema fields (JSON columns are STRING holding JSON text). */
export function bigQuerySchema(table: AnyTable): BigQueryField[] {
  return (Object.entries(table.columns) as Array<[string, Column]>).map(([name, c]) => ({
    name,
    type: c.type === 'JSON' ? 'STRING' : c.type,
    mode: c.mode,
    description: c.description,
  }));
}

const DUCKDB_TYPE: Record<BqType, string> = {
  STRING: 'VARCHAR',
  INT64: 'BIGINT',
  FLOAT64: 'DOUBLE',
  BOOL: 'BOOLEAN',
  DATE: 'DATE',
  TIMESTAMP: 'TIMESTAMPTZ',
  JSON: 'VARCHAR',
};

export function duckDbColumnType(c: Column): string {
  const t = DUCKDB_TYPE[c.type];
  return c.mode === 'REPEATED' ? `${t}[]` : t;
}

/** Qualified embedded name, e.g. `nba_predictions.player_prop_predictions`. */
export function embeddedName(table: AnyTable): string {
  return `${table.dataset}.${table.name}`;
}

/** CREATE SCHEMA/TABLE statements for DuckDB, with the key as PRIMARY KEY (upsert target). */
export function duckDbDdl(table: AnyTable): string {
  const cols = (Object.entries(table.columns) as Array<[string, Column]>).map(([name, c]) => {
    const notNull = c.mode === 'REQUIRED' ? ' NOT NULL' : '';
    return `  "${name}" ${duckDbColumnType(c)}${notNull}`;
  });
  const pk = `  PRIMARY KEY (${table.key.map((k) => `"${k}"`).join(', ')})`;
  return [
    `CREATE SCHEMA IF NOT EXISTS ${table.dataset};`,
    `CREATE TABLE IF NOT EXISTS ${embeddedName(table)} (\n${[...cols, pk].join(',\n')}\n);`,
  ].join('\n');
}
