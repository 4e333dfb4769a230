/**
 * @module features/slate-cache
 * Per-date cache of the feature store. The first request for a game date loads the WHOLE slate
 * with one `loadSlate(date)` (concurrent first requests share the one in-flight promise), then
 * every player of that date is a map lookup. Entries live FEATURE_CACHE_TTL_SECONDS for today and
 * future dates, FEATURE_CACHE_TTL_PAST_SECONDS for past dates (their rows no longer change).
 * An empty slate is not cached (the store may be filling); a store error is retryable.
 */
import type { FeatureStore } from '../storage/storage.js';
import type { FeatureStoreRow } from '../storage/tables/feature-store.js';
import { PwError, isPwError, describeError } from '../errors.js';

export interface SlateCacheOptions {
  features: Pick<FeatureStore, 'loadSlate'>;
  ttlSeconds: number;
  ttlPastSeconds: number;
  /** Today's date (YYYY-MM-DD) in the slate's time zone. */
  today: () => string;
  /** Milliseconds clock, injectable for tests. */
  nowMs?: () => number;
}

interface Entry {
  players: ReadonlyMap<string, FeatureStoreRow>;
  expiresAt: number;
}

export interface FeatureSlateCache {
  /** The player's row, or undefined when the slate has none. Throws retryable PW_ERR_FEATURE_STORE. */
  get(gameDate: string, playerLookup: string): Promise<FeatureStoreRow | undefined>;
  /** Number of slate loads issued so far (for /models-style diagnostics and tests). */
  readonly loads: number;
  clear(): void;
}

export function createFeatureSlateCache(options: SlateCacheOptions): FeatureSlateCache {
  const nowMs = options.nowMs ?? Date.now;
  const cached = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<ReadonlyMap<string, FeatureStoreRow>>>();
  let loads = 0;

  async function load(gameDate: string): Promise<ReadonlyMap<string, FeatureStoreRow>> {
    loads++;
    let rows: FeatureStoreRow[];
    try {
      rows = await options.features.loadSlate(gameDate);
    } catch (err) {
      if (isPwError(err) && err.retryable) throw err;
      throw new PwError('PW_ERR_FEATURE_STORE', { cause: err }, describeError(err));
    }
    const players = new Map<string, FeatureStoreRow>();
    for (const row of rows) players.set(row.player_lookup, row);
    if (players.size > 0) {
      const ttl = gameDate < options.today() ? options.ttlPastSeconds : options.ttlSeconds;
      if (ttl > 0) cached.set(gameDate, { players, expiresAt: nowMs() + ttl * 1000 });
    }
    return players;
  }

  function slate(gameDate: string): Promise<ReadonlyMap<string, FeatureStoreRow>> {
    const hit = cached.get(gameDate);
    if (hit && hit.expiresAt > nowMs()) return Promise.resolve(hit.players);
    if (hit) cached.delete(gameDate);
    let pending = inFlight.get(gameDate);
    if (!pending) {
      pending = load(gameDate).finally(() => inFlight.delete(gameDate));
      inFlight.set(gameDate, pending);
    }
    return pending;
  }

  return {
    async get(gameDate, playerLookup) {
      return (await slate(gameDate)).get(playerLookup);
    },
    get loads() {
      return loads;
    },
    clear() {
      cached.clear();
    },
  };
}
