import { describe, expect, it } from 'vitest';
import { sampleOutcomeRow } from '../storage/sample-rows.js';
import type { RequestOutcomeRow } from '../storage/tables/request-outcomes.js';
import { batchedOutcomeLookup } from './outcome-lookup.js';

describe('batchedOutcomeLookup', () => {
  it('concurrent lookups share one query; ids asked during a query go into the next one', async () => {
    const stored = new Map(['a', 'b', 'c'].map((id) => [id, sampleOutcomeRow({ message_id: id })]));
    const queries: string[][] = [];
    let release: () => void = () => {};
    const find = batchedOutcomeLookup({
      findMany: async (ids) => {
        queries.push([...ids]);
        if (queries.length === 1) await new Promise<void>((r) => (release = r));
        return ids.flatMap((id) => (stored.has(id) ? [stored.get(id)!] : []));
      },
    });
    const first = Promise.all([find('a'), find('zz'), find('a')]);
    await new Promise((r) => setImmediate(r));
    const second = Promise.all([find('b'), find('c')]);
    release();
    const [r1, r2] = await Promise.all([first, second]);
    expect(r1.map((r) => r?.message_id)).toEqual(['a', undefined, 'a']);
    expect(r2.map((r) => r?.message_id)).toEqual(['b', 'c']);
    expect(queries).toEqual([['a', 'zz'], ['b', 'c']]);
  });

  it('a failing query rejects every caller of that batch, and the next batch still runs', async () => {
    let fail = true;
    const find = batchedOutcomeLookup({
      findMany: async (ids): Promise<RequestOutcomeRow[]> => {
        if (fail) throw new Error('store down');
        return ids.map((id) => sampleOutcomeRow({ message_id: id }));
      },
    });
    const results = await Promise.allSettled([find('x'), find('y')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await find('x'))?.message_id).toBe('x');
  });
});
