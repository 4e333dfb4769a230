/**
 * @module storage/bigquery/write-check
 * BigQuery's active write check (Storage.checkWrite, issue 7, class 8) without writing anything:
 * `tables.testIamPermissions` (https://cloud.google.com/bigquery/docs/reference/rest/v2/tables/testIamPermissions)
 * asks, for each table the push path writes (predictions and request outcomes), whether the
 * worker's own account holds `bigquery.tables.updateData` (the permission streaming inserts and
 * DML need: https://cloud.google.com/bigquery/docs/access-control). A revision whose account
 * cannot write is therefore not ready before any push fails. It sees IAM only: quota, a dataset
 * deleted after the schema check or an outage show up through real writes (worker/write-health.ts).
 * Google documents the call as meant for permission-aware tools and says it "may fail open", so
 * it is an early warning, not an authorization guarantee; a table that does not exist returns no
 * permissions (reported here as lacking the grant; ping's schema check names it first).
 *
 * Emulator: goccy/bigquery-emulator answers tables.testIamPermissions with an error
 * ("unsupported bigquery.tables.testIamPermissions") and has no IAM at all (every request may
 * write), so with an emulator endpoint the check is skipped; table existence is still checked by
 * `ping`'s schema check. The permission logic is tested with a stubbed client (write-check.test.ts).
 */
import { PwError } from '../../errors.js';

/** The permission a streaming insert (and MERGE/DML) needs on a table. */
export const WRITE_PERMISSION = 'bigquery.tables.updateData';

/** The part of the official client's Dataset/Table the check uses (stubbable). */
export interface IamTableClient {
  dataset(id: string): { table(id: string): { testIamPermissions(permissions: string[]): Promise<[{ permissions?: string[] | null }, ...unknown[]]> } };
}

/** A table to check, as `dataset` and `table` ids. */
export interface CheckedTable {
  dataset: string;
  table: string;
}

/**
 * `dataset.table` of every table whose granted permissions lack WRITE_PERMISSION. Pure.
 * @param granted per table, the permissions testIamPermissions returned (the subset held).
 */
export function tablesWithoutWrite(granted: ReadonlyArray<CheckedTable & { permissions: readonly string[] }>): string[] {
  return granted.filter((g) => !g.permissions.includes(WRITE_PERMISSION)).map((g) => `${g.dataset}.${g.table}`);
}

/**
 * The check: one testIamPermissions call per table, in parallel. Resolves when every table grants
 * WRITE_PERMISSION; otherwise throws PW_ERR_SINK_WRITE naming the tables (or the failed call).
 * With `emulator` true it resolves without a call (see the module comment).
 */
export function bigQueryWriteCheck(options: { client: IamTableClient; tables: readonly CheckedTable[]; emulator: boolean }): () => Promise<void> {
  const { client, tables, emulator } = options;
  return async () => {
    if (emulator) return;
    let granted: Array<CheckedTable & { permissions: string[] }>;
    try {
      granted = await Promise.all(
        tables.map(async (t) => {
          const [result] = await client.dataset(t.dataset).table(t.table).testIamPermissions([WRITE_PERMISSION]);
          return { ...t, permissions: result?.permissions ?? [] };
        }),
      );
    } catch (err) {
      throw new PwError('PW_ERR_SINK_WRITE', { cause: err }, tables.map((t) => `${t.dataset}.${t.table}`).join(', '), `write permission check failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const missing = tablesWithoutWrite(granted);
    if (missing.length > 0) {
      throw new PwError('PW_ERR_SINK_WRITE', undefined, missing.join(', '), `the worker's account lacks ${WRITE_PERMISSION} (grant roles/bigquery.dataEditor on the dataset; docs/deploy.md)`);
    }
  };
}
