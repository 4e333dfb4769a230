/**
 * @module storage/duckdb/migrate
 * Schema set-up of an embedded file: create every table of ALL_TABLES (and EMBEDDED_ONLY_TABLES), then add the columns a
 * file written by an older build lacks (additive changes only, the rule BigQuery applies too).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { PwError } from '../../errors.js';
import { ALL_TABLES, EMBEDDED_ONLY_TABLES, duckDbColumnType, duckDbDdl, embeddedName, type AnyTable } from '../tables/index.js';
import { columnsOf } from './values.js';

/**
 * Create missing tables and add missing nullable columns, table by table.
 * Throws PW_ERR_CONFIG when a file lacks a REQUIRED column (it cannot be back-filled).
 */
export async function migrate(conn: DuckDBConnection, path: string): Promise<void> {
  for (const table of [...ALL_TABLES, ...EMBEDDED_ONLY_TABLES] as readonly AnyTable[]) {
    await conn.run(duckDbDdl(table));
    await addMissingColumns(conn, path, table);
  }
}

/**
 * A file written by an older build lacks columns added since: add them (additive changes only,
 * the same rule BigQuery applies). A missing REQUIRED column cannot be back-filled: say so.
 */
async function addMissingColumns(conn: DuckDBConnection, path: string, table: AnyTable): Promise<void> {
  const existing = new Set(
    (
      await conn.runAndReadAll('SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?', [
        table.dataset,
        table.name,
      ])
    )
      .getRowObjectsJS()
      .map((r) => String(r.column_name)),
  );
  for (const [name, c] of columnsOf(table)) {
    if (existing.has(name)) continue;
    if (c.mode === 'REQUIRED') {
      throw new PwError(
        'PW_ERR_CONFIG',
        undefined,
        `${path}: table ${embeddedName(table)} lacks the required column ${name}; move the file aside and let the worker create a new one`,
      );
    }
    await conn.run(`ALTER TABLE ${embeddedName(table)} ADD COLUMN "${name}" ${duckDbColumnType(c)}`);
  }
}
