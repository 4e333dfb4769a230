import { describe, expect, it } from 'vitest';
import { createFeatureSlateCache } from './slate-cache.js';
import { isPwError } from '../errors.js';
import type { FeatureStoreRow } from '../storage/tables/feature-store.js';

const row = (player: string, date: string) => ({ player_lookup: player, game_date: date }) as FeatureStoreRow;

function setup(rowsFor: (date: string) => FeatureStoreRow[] | Error) {
  const calls: string[] = [];
  let clock = 0;
  const cache = createFeatureSlateCache({
    features: {
      loadSlate: async (date) => {
        calls.push(date);
        await new Promise((r) => setTimeout(r, 5));
        const out = rowsFor(date);
        if (out instanceof Error) throw out;
        return out;
      },
    },
    ttlSeconds: 300,
    ttlPastSeconds: 3600,
    today: () => '2026-02-10',
    nowMs: () => clock,
  });
  return { cache, calls, advance: (s: number) => (clock += s * 1000) };
}

describe('feature slate cache', () => {
  it('concurrent first requests share one slate load; later requests hit the cache', async () => {
    const { cache, calls } = setup((d) => [row('a', d), row('b', d)]);
    const got = await Promise.all([cache.get('2026-02-10', 'a'), cache.get('2026-02-10', 'b'), cache.get('2026-02-10', 'zz')]);
    expect(got.map((r) => r?.player_lookup)).toEqual(['a', 'b', undefined]);
    await cache.get('2026-02-10', 'a');
    expect(calls).toEqual(['2026-02-10']);
  });

  it('today expires after FEATURE_CACHE_TTL_SECONDS, past dates after the past TTL', async () => {
    const { cache, calls, advance } = setup((d) => [row('a', d)]);
    await cache.get('2026-02-10', 'a');
    await cache.get('2026-02-01', 'a');
    advance(301);
    await cache.get('2026-02-10', 'a');
    await cache.get('2026-02-01', 'a');
    expect(calls).toEqual(['2026-02-10', '2026-02-01', '2026-02-10']);
    advance(3600);
    await cache.get('2026-02-01', 'a');
    expect(calls.filter((d) => d === '2026-02-01')).toHaveLength(2);
  });

  it('an empty slate is not cached', async () => {
    let rows: FeatureStoreRow[] = [];
    const { cache, calls } = setup(() => rows);
    expect(await cache.get('2026-02-10', 'a')).toBeUndefined();
    rows = [row('a', '2026-02-10')];
    expect((await cache.get('2026-02-10', 'a'))?.player_lookup).toBe('a');
    expect(calls).toHaveLength(2);
  });

  it('a store error is retryable and not cached', async () => {
    let fail = true;
    const { cache } = setup((d) => (fail ? new Error('timeout') : [row('a', d)]));
    const err = await cache.get('2026-02-10', 'a').catch((e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_FEATURE_STORE') && err.retryable).toBe(true);
    fail = false;
    expect((await cache.get('2026-02-10', 'a'))?.player_lookup).toBe('a');
  });
});
