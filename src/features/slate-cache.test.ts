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

describe('a miss re-reads the slate, rate-limited per date (issue 7, class 7)', () => {
  it('re-reads at most once per reloadIntervalMs and finds a row that landed since', async () => {
    const stored: FeatureStoreRow[] = [{ ...row('a', '2026-02-10'), created_at: '2026-02-10T10:00:00.000Z' }];
    let clock = 0;
    let loads = 0;
    const cache = createFeatureSlateCache({
      features: { loadSlate: async () => (loads++, [...stored]) },
      ttlSeconds: 300,
      ttlPastSeconds: 3600,
      today: () => '2026-02-10',
      nowMs: () => clock,
      reloadIntervalMs: 5000,
    });
    expect((await cache.lookup('2026-02-10', 'a')).row?.player_lookup).toBe('a');
    expect(loads).toBe(1);
    const miss = await cache.lookup('2026-02-10', 'late');
    expect(miss).toEqual({ row: undefined, newestCreatedAt: '2026-02-10T10:00:00.000Z', reloaded: false });
    expect(loads).toBe(1); // within the interval: no re-read
    stored.push({ ...row('late', '2026-02-10'), created_at: '2026-02-10T10:05:00.000Z' });
    clock += 5000;
    const found = await cache.lookup('2026-02-10', 'late');
    expect(found.reloaded).toBe(true);
    expect(found.row?.player_lookup).toBe('late');
    expect(found.newestCreatedAt).toBe('2026-02-10T10:05:00.000Z');
    expect(loads).toBe(2);
    // Many misses in a burst: one re-read.
    clock += 5000;
    await Promise.all(Array.from({ length: 20 }, () => cache.lookup('2026-02-10', 'ghost')));
    expect(loads).toBe(3);
  });

  it('slateIsYoung: newest row within SLATE_YOUNG_SECONDS, or an empty slate for today or later', async () => {
    const { slateIsYoung } = await import('./slate-cache.js');
    const nowMs = Date.parse('2026-02-10T12:00:00Z');
    const base = { gameDate: '2026-02-10', today: '2026-02-10', nowMs, youngSeconds: 1800 };
    expect(slateIsYoung({ ...base, newestCreatedAt: '2026-02-10T11:40:00Z' })).toBe(true);
    expect(slateIsYoung({ ...base, newestCreatedAt: '2026-02-10T11:00:00Z' })).toBe(false);
    expect(slateIsYoung({ ...base, newestCreatedAt: null })).toBe(true);
    expect(slateIsYoung({ ...base, gameDate: '2026-02-09', newestCreatedAt: null })).toBe(false);
    expect(slateIsYoung({ ...base, youngSeconds: 0, newestCreatedAt: '2026-02-10T11:59:59Z' })).toBe(false);
  });
});
