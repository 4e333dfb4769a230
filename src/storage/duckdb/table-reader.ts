/**
 * @module storage/duckdb/table-reader
 * Reads on a second connection with its own queue: MVCC keeps them consistent with the writer,
 * and a slow read never delays a push's write. Every row read is validated by the table's schema.
 */
import { LIST, VARCHAR, listValue, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import { PwError, type ErrorCode } from '../../errors.js';
import { embeddedName, type AnyTable, type RowOf } from '../tables/index.js';
import { message, SerialQueue } from './serial-queue.js';
import { fromDuckDbRow, selectFrom } from './values.js';

export class TableReader {
  private readonly queue = new SerialQueue();
  private closed = false;

  constructor(
    private readonly location: string,
    private readonly conn: DuckDBConnection,
  ) {}

  private ensureOpen(code: ErrorCode, what: string): void {
    if (this.closed) throw new PwError(code, undefined, what, `storage ${this.location} is closed`);
  }

  /**
   * `SELECT <every column> FROM table WHERE <where> <tail>` with bound parameters, each row
   * parsed by the table's rowSchema. Throws PW_ERR_STORAGE_READ (query failure or a stored row
   * that does not match the schema).
   */
  async select<T extends AnyTable>(table: T, where: string, params: DuckDBValue[], types: DuckDBType[], tail: string): Promise<Array<RowOf<T>>> {
    this.ensureOpen('PW_ERR_STORAGE_READ', table.name);
    const raw = await this.queue
      .run(async () => (await this.conn.runAndReadAll(`${selectFrom(table)} WHERE ${where} ${tail}`, params, types)).getRowObjectsJS())
      .catch((err: unknown) => {
        throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, embeddedName(table), message(err));
      });
    return raw.map((r) => {
      const parsed = table.rowSchema.safeParse(fromDuckDbRow(table, r));
      if (!parsed.success) {
        throw new PwError('PW_ERR_STORAGE_READ', { cause: parsed.error }, embeddedName(table), `stored row does not match the schema: ${parsed.error.message}`);
      }
      return parsed.data as RowOf<T>;
    });
  }

  /** `SELECT 1` through the read queue; throws PW_ERR_STORAGE_READ. */
  async ping(): Promise<void> {
    this.ensureOpen('PW_ERR_STORAGE_READ', 'ping');
    await this.queue.run(() => this.conn.run('SELECT 1')).catch((err: unknown) => {
      throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, this.location, message(err));
    });
  }

  /** Refuse new reads, wait for the queued ones to settle, close the connection. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.idle();
    this.conn.closeSync();
  }
}

/** `AND list_contains(?, system_id)` when a system filter is given. */
export function systemFilter(systemIds: readonly string[] | undefined): { sql: string; values: DuckDBValue[]; types: DuckDBType[] } {
  if (systemIds === undefined) return { sql: '', values: [], types: [] };
  return { sql: ' AND list_contains(?, system_id)', values: [listValue([...systemIds])], types: [LIST(VARCHAR)] };
}
