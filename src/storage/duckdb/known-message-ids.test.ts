import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { duckDbDdl, embeddedName, requestOutcomesTable } from '../tables/index.js';
import { KnownMessageIds } from './known-message-ids.js';

/** An outcomes table holding `stored-0` … `stored-<n-1>`. */
async function outcomesTableWith(n: number): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await conn.run(duckDbDdl(requestOutcomesTable));
  await conn.run(
    `INSERT INTO ${embeddedName(requestOutcomesTable)} (message_id, outcome, rows_written, systems, failed_systems, received_at)
     SELECT 'stored-' || i, 'written', 1, [], [], now() FROM range(${n}) t(i)`,
  );
  conn.closeSync();
  return instance;
}

describe('KnownMessageIds', () => {
  it('before it is loaded every id might exist; after, stored and recorded ids do and new ones do not', async () => {
    const stored = Array.from({ length: 3000 }, (_, i) => `stored-${i}`); // more than one 2048-row chunk
    const instance = await outcomesTableWith(stored.length);
    const known = KnownMessageIds.sizedFor(stored.length);
    const view = KnownMessageIds.view(known.shared); // what the event loop reads
    expect(known.mightExist('anything')).toBe(true);
    expect(view.mightExist('anything')).toBe(true);
    known.add('recorded-before-loading');
    expect(await known.load(instance)).toBeNull();
    expect(known.ready).toBe(true);
    expect(view.ready).toBe(true);
    expect(stored.every((id) => known.mightExist(id) && view.mightExist(id))).toBe(true);
    expect(known.mightExist('recorded-before-loading')).toBe(true);
    const fresh = Array.from({ length: 1000 }, (_, i) => `new-${i}`);
    expect(fresh.filter((id) => known.mightExist(id)).length).toBeLessThan(30); // ~1 % false positives at most
    expect(fresh.filter((id) => view.mightExist(id)).length).toBeLessThan(30);
    known.add('new-0');
    expect(known.mightExist('new-0')).toBe(true);
    expect(view.mightExist('new-0')).toBe(true); // the same memory
    instance.closeSync();
  });

  it('a load that fails leaves it unready: every id is still looked up', async () => {
    const instance = await DuckDBInstance.create(':memory:'); // no outcomes table
    const known = KnownMessageIds.sizedFor(0);
    const err = await known.load(instance);
    expect(err).toBeInstanceOf(Error);
    expect(known.ready).toBe(false);
    expect(known.mightExist('x')).toBe(true);
    instance.closeSync();
  });
});
