/**
 * @module storage/validated
 * `validatedStorage(inner)`: every row is checked against its own table's zod schema
 * (`src/storage/tables/`) BEFORE any write, whatever the backend. The read path parses rows with
 * the same schemas, so a row that passed here can always be read back; a row that fails is never
 * written (issue 7, class 1: one Infinity median made a whole date unreadable).
 *
 * A refused row throws the non-retryable PwError('PW_ERR_ROW_INVALID') naming the table, the row
 * and the first problems; nothing of that call is written (a prediction write with an outcome
 * checks the rows and the outcome before either is stored). openStorage applies it to both
 * backends, so every entry point (worker, CLI, jobs, demo) writes through it.
 */
import type { z } from 'zod';
import { pwError } from '../errors.js';
import type { Storage } from './storage.js';
import { rowPrecheck } from './row-precheck.js';
import {
  modelPerformanceDailyTable,
  dailyPredictionSignalsTable,
  featureStoreTable,
  notificationsTable,
  modelRegistryEventsTable,
  modelRegistryTable,
  playerGameSummaryTable,
  playerPropPredictionsTable,
  predictionAccuracyTable,
  requestOutcomesTable,
  type AnyTable,
} from './tables/index.js';

/** Per schema: the plain-code pre-check (storage/row-precheck.ts), or null when it has none. */
const prechecks = new WeakMap<z.ZodType, ((row: unknown) => boolean) | null>();

function precheckOf(schema: z.ZodType): ((row: unknown) => boolean) | null {
  let check = prechecks.get(schema);
  if (check === undefined) {
    check = rowPrecheck(schema) ?? null;
    prechecks.set(schema, check);
  }
  return check;
}

/**
 * Throws PW_ERR_ROW_INVALID for the first row of `rows` that `table.rowSchema` refuses. A row the
 * pre-check passes is one the schema accepts, so zod runs only for the others (issue 10).
 */
export function assertRowsValid(table: AnyTable, rows: readonly unknown[]): void {
  const schema = table.rowSchema as z.ZodType;
  const precheck = precheckOf(schema);
  for (let i = 0; i < rows.length; i++) {
    if (precheck?.(rows[i])) continue;
    const parsed = schema.safeParse(rows[i]);
    if (!parsed.success) {
      const problems = parsed.error.issues
        .slice(0, 3)
        .map((issue) => `${issue.path.join('.') || '(row)'}: ${issue.message}`)
        .join('; ');
      throw pwError('PW_ERR_ROW_INVALID', `${table.dataset}.${table.name}`, `row ${i + 1} of ${rows.length}: ${problems}`);
    }
  }
}

/** Wraps `inner` so that every write validates its rows first (see the module comment). */
export function validatedStorage(inner: Storage): Storage {
  const check = assertRowsValid;
  return {
    ...inner,
    kind: inner.kind,
    location: inner.location,
    features: {
      ...inner.features,
      loadSlate: (gameDate) => inner.features.loadSlate(gameDate),
      upsert: async (rows) => {
        check(featureStoreTable, rows);
        return inner.features.upsert(rows);
      },
    },
    predictions: {
      ...inner.predictions,
      write: async (rows, outcome) => {
        check(playerPropPredictionsTable, rows);
        if (outcome) check(requestOutcomesTable, [outcome]);
        return inner.predictions.write(rows, outcome);
      },
      currentPredictions: (gameDate, systemIds) => inner.predictions.currentPredictions(gameDate, systemIds),
      allPredictions: (gameDate) => inner.predictions.allPredictions(gameDate),
    },
    outcomes: {
      ...inner.outcomes,
      record: async (row) => {
        check(requestOutcomesTable, [row]);
        return inner.outcomes.record(row);
      },
      findMany: (ids) => inner.outcomes.findMany(ids),
      forDate: (gameDate) => inner.outcomes.forDate(gameDate),
      rejected: (sinceIso) => inner.outcomes.rejected(sinceIso),
    },
    actuals: {
      ...inner.actuals,
      forDate: (gameDate) => inner.actuals.forDate(gameDate),
      upsert: async (rows) => {
        check(playerGameSummaryTable, rows);
        return inner.actuals.upsert(rows);
      },
    },
    accuracy: {
      ...inner.accuracy,
      // systemIds passes through: grading rewrites only the systems it graded.
      replaceDate: async (gameDate, rows, systemIds) => {
        check(predictionAccuracyTable, rows);
        return inner.accuracy.replaceDate(gameDate, rows, systemIds);
      },
      forRange: (from, to, systemIds) => inner.accuracy.forRange(from, to, systemIds),
    },
    signals: {
      ...inner.signals,
      replaceDate: async (gameDate, rows) => {
        check(dailyPredictionSignalsTable, rows);
        return inner.signals.replaceDate(gameDate, rows);
      },
      forDate: (gameDate) => inner.signals.forDate(gameDate),
    },
    notifications: {
      ...inner.notifications,
      find: (gameDate, kind) => inner.notifications.find(gameDate, kind),
      record: async (row) => {
        check(notificationsTable, [row]);
        return inner.notifications.record(row);
      },
    },
    performance: {
      ...inner.performance,
      replaceDate: async (gameDate, rows) => {
        check(modelPerformanceDailyTable, rows);
        return inner.performance.replaceDate(gameDate, rows);
      },
      forRange: (from, to) => inner.performance.forRange(from, to),
    },
    registryEvents: {
      ...inner.registryEvents,
      append: async (row) => {
        check(modelRegistryEventsTable, [row]);
        return inner.registryEvents.append(row);
      },
      list: (systemId) => inner.registryEvents.list(systemId),
    },
    registry: {
      ...inner.registry,
      upsert: async (rows) => {
        check(modelRegistryTable, rows);
        return inner.registry.upsert(rows);
      },
      all: () => inner.registry.all(),
    },
    ping: () => inner.ping(),
    close: () => inner.close(),
    checkWrite: () => inner.checkWrite(),
  };
}
