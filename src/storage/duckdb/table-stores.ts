/**
 * @module storage/duckdb/table-stores
 * The Storage interfaces of storage.ts over the embedded database: each is a few lines of SQL
 * on top of the write queue (upsert / replaceDate, grouped commits) and the table reader. A new
 * table gets its own `<thing>-store.ts` built the same way from a `DuckDbParts`.
 */
import { VARCHAR } from '@duckdb/node-api';
import { PwError } from '../../errors.js';
import type { Storage } from '../storage.js';
import {
  dailyPredictionSignalsTable,
  featureStoreTable,
  notificationsTable,
  playerGameSummaryTable,
  playerPropPredictionsTable,
  predictionAccuracyTable,
  requestOutcomesTable,
  type AnyTable,
} from '../tables/index.js';
import type { RequestOutcomeRow } from '../tables/request-outcomes.js';
import { LOGGED_TABLES, outcomeWriteParts, predictionWriteParts, type BufferedWrites } from './buffered-writes.js';
import { TABLES_BY_LOG_NAME } from './ingest-log.js';
import { encodeFolded, unfoldableWrite, unfoldParts, type FoldedWrite, type LoggedParts } from './write-codec.js';
import { systemFilter, type TableReader } from './table-reader.js';
import type { WriteQueue } from './write-queue.js';

/**
 * What a table store is built from: the shared write queue, the read connection and, for a
 * database file, the ingest log the hot tables (LOGGED_TABLES) are written through.
 */
export interface DuckDbParts {
  writes: WriteQueue;
  reads: TableReader;
  log?: BufferedWrites | undefined;
}

/**
 * A write of logged tables: through the ingest log when there is one (`payload`: the parts
 * already encoded, when the caller has them), else the write queue.
 */
function loggedWrite({ writes, log }: DuckDbParts, parts: LoggedParts, payload?: Uint8Array): Promise<void> {
  return log ? log.enqueue(parts, payload) : writes.enqueue(parts);
}

/**
 * A write of logged tables that arrives folded (write-codec.ts `foldParts`; the storage thread
 * receives a push's write so): unfolded into rows for the batch, and serialised as it is for the
 * ingest log. Rejects with PW_ERR_SINK_WRITE for a value that is not such a write of logged
 * tables (a caller's bug: nothing is written).
 */
export function foldedWrite(parts: DuckDbParts, folded: FoldedWrite): Promise<void> {
  let decoded: LoggedParts;
  try {
    decoded = unfoldParts(folded, TABLES_BY_LOG_NAME);
  } catch (err) {
    return Promise.reject(unfoldableWrite(err));
  }
  const other = decoded.find(([table]) => !LOGGED_TABLES.has(table));
  if (other) return Promise.reject(new PwError('PW_ERR_SINK_WRITE', undefined, 'folded write', `${other[0].name} is not written through the ingest log`));
  return loggedWrite(parts, decoded, parts.log ? encodeFolded(folded) : undefined);
}

/** Before a read of a logged table: apply every write acknowledged so far (read-your-writes). */
async function applied({ log }: DuckDbParts): Promise<void> {
  await log?.drain();
}

export function featureStore({ writes, reads }: DuckDbParts): Storage['features'] {
  return {
    loadSlate: (gameDate) => reads.select(featureStoreTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY player_lookup'),
    upsert: (rows) => writes.upsert(featureStoreTable, rows),
  };
}

export function predictionSink(parts: DuckDbParts): Storage['predictions'] {
  const { reads } = parts;
  return {
    write: (rows, outcome) =>
      loggedWrite(parts, predictionWriteParts(rows, outcome)),
    currentPredictions: async (gameDate, systemIds) => {
      const f = systemFilter(systemIds);
      await applied(parts);
      return reads.select(
        playerPropPredictionsTable,
        `game_date = CAST(? AS DATE)${f.sql}`,
        [gameDate, ...f.values],
        [VARCHAR, ...f.types],
        // The ONE current-row rule (storage.ts): latest publish time, then largest prediction_id.
        `QUALIFY ROW_NUMBER() OVER (PARTITION BY game_date, game_id, player_lookup, system_id
           ORDER BY request_published_at DESC, prediction_id DESC) = 1
         ORDER BY player_lookup, system_id, game_id`,
      );
    },
    allPredictions: async (gameDate) => {
      await applied(parts);
      return reads.select(
        playerPropPredictionsTable,
        'game_date = CAST(? AS DATE)',
        [gameDate],
        [VARCHAR],
        'ORDER BY player_lookup, system_id, request_published_at, prediction_id',
      );
    },
  };
}

/**
 * Stored outcomes of `messageIds` (non-empty). `IN (?, …)` is pushed into the scan as a filter on
 * message_id (measured: 1.3 ms of CPU at 200,000 stored outcomes, against 7.5 ms for
 * list_contains, evaluated per row).
 */
function selectOutcomes(reads: TableReader, messageIds: readonly string[]): Promise<RequestOutcomeRow[]> {
  return reads.select(requestOutcomesTable, `message_id IN (${messageIds.map(() => '?').join(', ')})`, [...messageIds], messageIds.map(() => VARCHAR), 'ORDER BY received_at');
}

export function outcomeLog(parts: DuckDbParts): Storage['outcomes'] {
  const { reads, log } = parts;
  return {
    record: (outcome) => loggedWrite(parts, outcomeWriteParts(outcome)),
    // The per-push lookup: acknowledged outcomes still waiting in the ingest log are answered from
    // memory (they are the latest of their id); ids the known-id filter has never seen have none;
    // only the rest are read from the table. No batch is forced.
    findMany: async (messageIds) => {
      if (!log) return messageIds.length === 0 ? [] : selectOutcomes(reads, messageIds);
      const waiting: RequestOutcomeRow[] = [];
      const rest: string[] = [];
      for (const id of messageIds) {
        const pending = log.pendingOutcome(id);
        if (pending) waiting.push(pending);
        else if (log.mightHaveOutcome(id)) rest.push(id);
      }
      if (rest.length === 0) return waiting;
      return [...(await selectOutcomes(reads, rest)), ...waiting];
    },
    forDate: async (gameDate) => {
      await applied(parts);
      return reads.select(requestOutcomesTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY received_at, message_id');
    },
    rejected: async (sinceIso) => {
      await applied(parts);
      return sinceIso === undefined
        ? reads.select(requestOutcomesTable, "outcome = 'rejected'", [], [], 'ORDER BY received_at, message_id')
        : reads.select(
            requestOutcomesTable,
            "outcome = 'rejected' AND received_at >= CAST(? AS TIMESTAMPTZ)",
            [sinceIso],
            [VARCHAR],
            'ORDER BY received_at, message_id',
          );
    },
  };
}

export function actualsStore({ writes, reads }: DuckDbParts): Storage['actuals'] {
  return {
    forDate: (gameDate) => reads.select(playerGameSummaryTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY player_lookup, game_id'),
    upsert: (rows) => writes.upsert(playerGameSummaryTable, rows),
  };
}

export function accuracyStore({ writes, reads }: DuckDbParts): Storage['accuracy'] {
  return {
    // Only the graded systems' rows of the date are replaced (default: the systems in `rows`).
    replaceDate: (gameDate, rows, systemIds) =>
      writes.replaceDate(predictionAccuracyTable, gameDate, rows, systemIds ?? [...new Set(rows.map((r) => r.system_id))]),
    forRange: (fromDate, toDate, systemIds) => {
      const f = systemFilter(systemIds);
      return reads.select(
        predictionAccuracyTable,
        `game_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)${f.sql}`,
        [fromDate, toDate, ...f.values],
        [VARCHAR, VARCHAR, ...f.types],
        'ORDER BY game_date, system_id, player_lookup, game_id',
      );
    },
  };
}

export function signalStore({ writes, reads }: DuckDbParts): Storage['signals'] {
  return {
    replaceDate: (gameDate, rows) => writes.replaceDate(dailyPredictionSignalsTable, gameDate, rows),
    forDate: (gameDate) => reads.select(dailyPredictionSignalsTable, 'game_date = CAST(? AS DATE)', [gameDate], [VARCHAR], 'ORDER BY system_id'),
  };
}

export function notificationLog({ writes, reads }: DuckDbParts): Storage['notifications'] {
  return {
    find: async (gameDate, kind) =>
      (await reads.select(notificationsTable, 'game_date = CAST(? AS DATE) AND kind = ?', [gameDate, kind], [VARCHAR, VARCHAR], ''))[0],
    record: (row) => writes.upsert(notificationsTable, [row]),
  };
}
