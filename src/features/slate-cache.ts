/**
 * @module features/slate-cache
 * Per-date cache of the feature store. The first request for a game date loads the WHOLE slate
 * with one `loadSlate(date)` (concurrent first requests share the one in-flight promise), then
 * every player of that date is a map lookup. Entries live FEATURE_CACHE_TTL_SECONDS for today and
 * future dates, FEATURE_CACHE_TTL_PAST_SECONDS for past dates (their rows no longer change).
 * An empty slate is not cached (the store may be filling); a store error is retryable.
 *
 * Stale-while-revalidate (the rule of RFC 5861, section 3): for one more TTL after it expires, an
 * entry is still served while ONE reload runs in the background; requests never wait for a
 * routine refresh (a BigQuery slate query takes seconds, and every push of the instance would
 * wait for it once per TTL). A reload that fails leaves the entry served and is retried at most
 * once per `reloadIntervalMs`; an entry older than two TTLs is not served, and the request waits
 * for the load (and its error) as on a first request.
 *
 * Work that arrives before its data (issue 7, class 7): `lookup` re-reads the slate on a miss,
 * at most once per `reloadIntervalMs` per date (concurrent misses share the one re-read), and
 * reports how young the slate is, so the caller can retry (5xx) rather than reject a player whose
 * row may still land: see `slateIsYoung`.
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
  /**
   * A miss re-reads the date's slate at most this often (ms); 0 = on every miss. Default 5000.
   * Also the retry interval of a failed background reload.
   */
  reloadIntervalMs?: number;
}

/** What `lookup` found: the row, and the newest `created_at` of the date's slate (null if empty). */
export interface SlateLookup {
  row: FeatureStoreRow | undefined;
  newestCreatedAt: string | null;
  /** True when this lookup re-read the slate after a miss. */
  reloaded: boolean;
}

/**
 * The one "young slate" rule: a missing player is worth a retry while the date's feature rows
 * may still be landing, i.e. the newest row of the slate was written less than `youngSeconds`
 * ago, or the slate is still empty and the game date is today or later. Otherwise the player is
 * not coming: reject. `youngSeconds` 0 turns the rule off (every miss is a rejection). Dates are
 * YYYY-MM-DD in the slate time zone.
 */
export function slateIsYoung(input: { gameDate: string; today: string; newestCreatedAt: string | null; nowMs: number; youngSeconds: number }): boolean {
  if (input.youngSeconds <= 0) return false;
  if (input.newestCreatedAt === null) return input.gameDate >= input.today;
  const newest = Date.parse(input.newestCreatedAt);
  return Number.isFinite(newest) && input.nowMs - newest < input.youngSeconds * 1000;
}

interface Slate {
  players: ReadonlyMap<string, FeatureStoreRow>;
  newestCreatedAt: string | null;
  /** When the read that produced it began (ms): a miss is answered from it only while it is this young. */
  readAt: number;
}

interface Entry extends Slate {
  /** Served as fresh until then (ms). */
  expiresAt: number;
  /** Served while one reload runs until then (ms): one more TTL. */
  staleUntil: number;
}

export interface FeatureSlateCache {
  /** The player's row, or undefined when the slate has none. Throws retryable PW_ERR_FEATURE_STORE. */
  get(gameDate: string, playerLookup: string): Promise<FeatureStoreRow | undefined>;
  /**
   * The player's row, re-reading the slate once on a miss (rate-limited per date), with the
   * slate's newest created_at. Throws retryable PW_ERR_FEATURE_STORE.
   */
  lookup(gameDate: string, playerLookup: string): Promise<SlateLookup>;
  /** Number of slate loads issued so far (for /models-style diagnostics and tests). */
  readonly loads: number;
  clear(): void;
}

export function createFeatureSlateCache(options: SlateCacheOptions): FeatureSlateCache {
  const nowMs = options.nowMs ?? Date.now;
  const reloadIntervalMs = options.reloadIntervalMs ?? 5_000;
  const cached = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<Slate>>();
  /** When a background reload of each date last failed (ms), for its retry rate limit. */
  const lastRefreshFailedAt = new Map<string, number>();
  let loads = 0;

  async function load(gameDate: string): Promise<Slate> {
    loads++;
    const readAt = nowMs();
    let rows: FeatureStoreRow[];
    try {
      rows = await options.features.loadSlate(gameDate);
    } catch (err) {
      if (isPwError(err) && err.retryable) throw err;
      throw new PwError('PW_ERR_FEATURE_STORE', { cause: err }, describeError(err));
    }
    const players = new Map<string, FeatureStoreRow>();
    let newestCreatedAt: string | null = null;
    for (const row of rows) {
      players.set(row.player_lookup, row);
      if (newestCreatedAt === null || Date.parse(row.created_at) > Date.parse(newestCreatedAt)) newestCreatedAt = row.created_at;
    }
    const slate: Slate = { players, newestCreatedAt, readAt };
    if (players.size > 0) {
      const ttl = gameDate < options.today() ? options.ttlPastSeconds : options.ttlSeconds;
      if (ttl > 0) cached.set(gameDate, { ...slate, expiresAt: nowMs() + ttl * 1000, staleUntil: nowMs() + 2 * ttl * 1000 });
    } else {
      cached.delete(gameDate); // the slate is empty now: nothing stale to serve
    }
    return slate;
  }

  /** The date's load in flight, or a new one (concurrent callers share it). */
  function loading(gameDate: string): Promise<Slate> {
    let pending = inFlight.get(gameDate);
    if (!pending) {
      pending = load(gameDate).finally(() => inFlight.delete(gameDate));
      inFlight.set(gameDate, pending);
    }
    return pending;
  }

  function slate(gameDate: string, force = false): Promise<Slate> {
    const hit = cached.get(gameDate);
    const now = nowMs();
    if (hit && !force && hit.expiresAt > now) return Promise.resolve(hit);
    if (hit && !force && hit.staleUntil > now) {
      const failedAt = lastRefreshFailedAt.get(gameDate);
      if (failedAt === undefined || now - failedAt >= reloadIntervalMs) {
        loading(gameDate).then(
          () => lastRefreshFailedAt.delete(gameDate),
          () => lastRefreshFailedAt.set(gameDate, nowMs()),
        );
      }
      return Promise.resolve(hit);
    }
    // Past two TTLs: dropped. A forced re-read (a miss) keeps the entry: it is replaced when the
    // read succeeds, and still served if it fails.
    if (hit && !force) cached.delete(gameDate);
    return loading(gameDate);
  }

  return {
    async get(gameDate, playerLookup) {
      return (await slate(gameDate)).players.get(playerLookup);
    },
    async lookup(gameDate, playerLookup) {
      const first = await slate(gameDate);
      const row = first.players.get(playerLookup);
      if (row) return { row, newestCreatedAt: first.newestCreatedAt, reloaded: false };
      // Decided on rows read less than reloadIntervalMs ago, never on a stale entry served while
      // its reload runs (the re-read then shares that reload).
      if (nowMs() - first.readAt < reloadIntervalMs) return { row: undefined, newestCreatedAt: first.newestCreatedAt, reloaded: false };
      const again = await slate(gameDate, true);
      return { row: again.players.get(playerLookup), newestCreatedAt: again.newestCreatedAt, reloaded: true };
    },
    get loads() {
      return loads;
    },
    clear() {
      cached.clear();
      lastRefreshFailedAt.clear();
    },
  };
}
