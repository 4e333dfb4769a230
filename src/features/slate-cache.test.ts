import { describe, expect, it, vi } from 'vitest';
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

describe('an expired slate is served while it reloads (stale-while-revalidate)', () => {
  /** A store whose loads wait for `finish(rows | Error)`, in order. */
  function manualStore() {
    const waiting: Array<(out: FeatureStoreRow[] | Error) => void> = [];
    let clock = 0;
    const cache = createFeatureSlateCache({
      features: {
        loadSlate: () =>
          new Promise<FeatureStoreRow[]>((resolve, reject) => waiting.push((out) => (out instanceof Error ? reject(out) : resolve(out)))),
      },
      ttlSeconds: 300,
      ttlPastSeconds: 3600,
      today: () => '2026-02-10',
      nowMs: () => clock,
      reloadIntervalMs: 5000,
    });
    const finish = async (out: FeatureStoreRow[] | Error) => {
      await vi.waitFor(() => expect(waiting.length).toBeGreaterThan(0));
      waiting.shift()!(out);
    };
    return { cache, waiting, finish, advance: (s: number) => (clock += s * 1000) };
  }
  const withTeam = (team: string) => [{ ...row('a', '2026-02-10'), team_abbr: team }];

  it('after the TTL, requests get the old rows at once while ONE reload runs; then the new rows', async () => {
    const { cache, waiting, finish, advance } = manualStore();
    const first = cache.get('2026-02-10', 'a');
    await finish(withTeam('OLD'));
    expect((await first)?.team_abbr).toBe('OLD');
    advance(301);
    // Both answered from the expired entry without waiting for the store; one reload between them.
    expect((await cache.get('2026-02-10', 'a'))?.team_abbr).toBe('OLD');
    expect((await cache.get('2026-02-10', 'a'))?.team_abbr).toBe('OLD');
    expect(waiting).toHaveLength(1);
    await finish(withTeam('NEW'));
    await vi.waitFor(async () => expect((await cache.get('2026-02-10', 'a'))?.team_abbr).toBe('NEW'));
    expect(cache.loads).toBe(2);
  });

  it('a failed reload keeps the old rows served, retried at most once per reloadIntervalMs; past two TTLs a request waits and gets the error', async () => {
    const { cache, waiting, finish, advance } = manualStore();
    const first = cache.get('2026-02-10', 'a');
    await finish(withTeam('OLD'));
    await first;
    advance(301);
    expect((await cache.get('2026-02-10', 'a'))?.team_abbr).toBe('OLD');
    await finish(new Error('BigQuery timeout'));
    await new Promise((r) => setImmediate(r));
    expect((await cache.get('2026-02-10', 'a'))?.team_abbr).toBe('OLD'); // within reloadIntervalMs of the failure: no new reload
    expect(waiting).toHaveLength(0);
    advance(6);
    expect((await cache.get('2026-02-10', 'a'))?.team_abbr).toBe('OLD'); // retried in the background
    expect(waiting).toHaveLength(1);
    await finish(new Error('BigQuery timeout'));
    await new Promise((r) => setImmediate(r));
    advance(300); // 607 s: older than two TTLs
    const late = cache.get('2026-02-10', 'a').catch((e: unknown) => e);
    await finish(new Error('BigQuery timeout'));
    const err = await late;
    expect(isPwError(err, 'PW_ERR_FEATURE_STORE') && err.retryable).toBe(true);
  });

  it('a miss on an expired entry is decided on the reload it started, never on the stale rows', async () => {
    const { cache, finish, advance } = manualStore();
    const first = cache.get('2026-02-10', 'a');
    await finish(withTeam('OLD'));
    await first;
    advance(301);
    // 'late' landed after the stale load: the reload has it, the stale rows do not.
    const late = cache.lookup('2026-02-10', 'late');
    await finish([...withTeam('NEW'), row('late', '2026-02-10')]);
    const found = await late;
    expect(found.row?.player_lookup).toBe('late');
    expect(found.reloaded).toBe(true);
  });

  it('a miss whose re-read fails leaves the cached slate served (fresh or stale)', async () => {
    const { cache, waiting, finish, advance } = manualStore();
    const first = cache.get('2026-02-10', 'a');
    await finish(withTeam('OLD'));
    await first;
    advance(10); // fresh, but older than reloadIntervalMs: a miss re-reads
    const miss = cache.lookup('2026-02-10', 'ghost').catch((e: unknown) => e);
    await finish(new Error('BigQuery timeout'));
    expect(isPwError(await miss, 'PW_ERR_FEATURE_STORE')).toBe(true); // this push is retried
    const again = cache.get('2026-02-10', 'a');
    expect(waiting).toHaveLength(0); // served from the cache, no load to wait for
    expect((await again)?.team_abbr).toBe('OLD');
    advance(300); // stale now
    const staleMiss = cache.lookup('2026-02-10', 'ghost').catch((e: unknown) => e);
    await finish(new Error('BigQuery timeout'));
    expect(isPwError(await staleMiss, 'PW_ERR_FEATURE_STORE')).toBe(true);
    const stale = cache.get('2026-02-10', 'a');
    expect(waiting).toHaveLength(0); // the failed reload is not retried within reloadIntervalMs
    expect((await stale)?.team_abbr).toBe('OLD');
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
