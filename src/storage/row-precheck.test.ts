import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rowPrecheck } from './row-precheck.js';
import {
  ALL_TABLES,
  dailyPredictionSignalsTable,
  featureStoreTable,
  modelPerformanceDailyTable,
  modelRegistryEventsTable,
  modelRegistryTable,
  notificationsTable,
  playerGameSummaryTable,
  playerPropPredictionsTable,
  predictionAccuracyTable,
  requestOutcomesTable,
  type AnyTable,
} from './tables/index.js';
import {
  sampleAccuracyRow,
  sampleActualRow,
  sampleFeatureRow,
  sampleModelRegistryRow,
  sampleNotificationRow,
  sampleOutcomeRow,
  samplePerformanceRow,
  samplePredictionRow,
  sampleRegistryEventRow,
  sampleSignalRow,
} from './sample-rows.js';

const SAMPLES = new Map<AnyTable, () => Record<string, unknown>>([
  [featureStoreTable, () => ({ ...sampleFeatureRow() })],
  [playerPropPredictionsTable, () => ({ ...samplePredictionRow() })],
  [requestOutcomesTable, () => ({ ...sampleOutcomeRow() })],
  [playerGameSummaryTable, () => ({ ...sampleActualRow() })],
  [predictionAccuracyTable, () => ({ ...sampleAccuracyRow() })],
  [dailyPredictionSignalsTable, () => ({ ...sampleSignalRow() })],
  [notificationsTable, () => ({ ...sampleNotificationRow() })],
  [modelPerformanceDailyTable, () => ({ ...samplePerformanceRow() })],
  [modelRegistryEventsTable, () => ({ ...sampleRegistryEventRow() })],
  [modelRegistryTable, () => ({ ...sampleModelRegistryRow() })],
]);

/** Values that probe every column rule: types, formats, enums, non-finite numbers, holes. */
// eslint-disable-next-line no-sparse-arrays
const PROBES: unknown[] = [
  '', 'x', 'abc"\\', '2026-02-10', '2026-02-30', '2024-02-29', '2025-02-29', '2026-13-01', '2026-2-10', '2026-02-10T12:00:00.000Z', '2026-02-10 12:00:00', '2026-02-10T12:00:00.000+01:00',
  'OVER', 'NO_LINE', 'champion', 'challenger', 'written', 'rejected', 'utf8', 'base64', 'none', 'request_line', 'actual_prop_line',
  0, -0, 1, 1.5, -7, 2 ** 53 - 1, 2 ** 53, 1e300, NaN, Infinity, -Infinity, 10n,
  true, false, null, undefined, {}, [], ['a'], ['a', 'b'], [1], [1.5, 2], [NaN], [null], [undefined], [, 'a'], new String('a'), new Date(0),
];

function mutations(row: Record<string, unknown>): unknown[] {
  const out: unknown[] = [];
  for (const key of Object.keys(row)) {
    for (const probe of PROBES) out.push({ ...row, [key]: probe });
    const { [key]: _dropped, ...missing } = row;
    out.push(missing);
    out.push(Object.assign(Object.create({ [key]: row[key] }), missing)); // inherited, not own
  }
  out.push({ ...row, extra: 1 }, { ...row, extra: undefined });
  out.push(Object.assign(Object.create(null), row), Object.assign(Object.create({ inherited: 1 }), row));
  const hidden = { ...row, extra: 1 };
  Object.defineProperty(hidden, Object.keys(row)[0]!, { enumerable: false });
  out.push(hidden);
  const entries = Object.entries(row);
  out.push(Object.fromEntries([...entries].reverse())); // same fields, other order
  out.push(Object.fromEntries([...entries.slice(1), ['extra', entries[0]![1]]])); // one field renamed
  out.push(null, undefined, [], 'row', 1);
  return out;
}

describe('rowPrecheck', () => {
  it('has a pre-check for every table, and every sample row takes the fast path', () => {
    expect(SAMPLES.size).toBe(ALL_TABLES.length);
    for (const table of ALL_TABLES) {
      const check = rowPrecheck(table.rowSchema);
      expect(check, table.name).toBeTypeOf('function');
      expect(check!(SAMPLES.get(table)!()), table.name).toBe(true);
    }
  });

  it('never passes a row its schema refuses (every column × every probe value, and shape changes)', () => {
    let passed = 0;
    let refused = 0;
    for (const table of ALL_TABLES) {
      const check = rowPrecheck(table.rowSchema)!;
      for (const row of mutations(SAMPLES.get(table)!())) {
        const zodAccepts = table.rowSchema.safeParse(row).success;
        if (check(row)) {
          expect(zodAccepts, `${table.name}: ${String(JSON.stringify(row))}`).toBe(true);
          passed++;
        } else if (!zodAccepts) refused++;
      }
    }
    // Not vacuous: many probes are valid values, many are not.
    expect(passed).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(1000);
  });

  it('fields in another order still take the fast path', () => {
    const row = samplePredictionRow();
    const reversed = Object.fromEntries(Object.entries(row).reverse());
    expect(rowPrecheck(playerPropPredictionsTable.rowSchema)!(reversed)).toBe(true);
  });

  it('a polluted Object.prototype sends every row to zod', () => {
    const check = rowPrecheck(requestOutcomesTable.rowSchema)!;
    const row = sampleOutcomeRow();
    (Object.prototype as Record<string, unknown>).polluted = 1;
    try {
      expect(requestOutcomesTable.rowSchema.safeParse(row).success).toBe(false);
      expect(check(row)).toBe(false);
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
    expect(check(row)).toBe(true);
  });

  it('returns undefined for schema parts it does not read', () => {
    expect(rowPrecheck(z.object({ a: z.string() }))).toBeUndefined(); // not strict
    expect(rowPrecheck(z.object({ a: z.string().min(2) }).strict())).toBeUndefined();
    expect(rowPrecheck(z.object({ a: z.number().min(0) }).strict())).toBeUndefined();
    expect(rowPrecheck(z.object({ a: z.string().regex(/a/g) }).strict())).toBeUndefined();
    expect(rowPrecheck(z.object({ a: z.string() }).strict().refine(() => true))).toBeUndefined();
    expect(rowPrecheck(z.object({ a: z.string().optional() }).strict())).toBeUndefined();
    expect(rowPrecheck(z.string())).toBeUndefined();
  });
});

describe('coverage', () => {
  it('every table has a pre-check (a schema feature it cannot read would silently send every row to zod)', () => {
    expect(ALL_TABLES.filter((t) => rowPrecheck(t.rowSchema as z.ZodType) === undefined).map((t) => t.name)).toEqual([]);
  });
});
