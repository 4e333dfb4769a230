import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { samplePredictionRow, sampleOutcomeRow } from '../sample-rows.js';
import { featureStoreTable, playerPropPredictionsTable, requestOutcomesTable } from '../tables/index.js';
import { TABLES_BY_LOG_NAME } from './ingest-log.js';
import { decodeParts, encodeParts, logName, type LoggedParts } from './write-codec.js';

const TABLES = TABLES_BY_LOG_NAME;

/** A six-model push: the values of the request, the line and the 1.5 KB snapshot are the same in every row. */
function push(snapshot = JSON.stringify(Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`feature_number_${i}`, i + 0.123456789])))): LoggedParts {
  const rows = Array.from({ length: 6 }, (_, i) =>
    samplePredictionRow({
      prediction_id: String(i).padStart(32, '0'),
      system_id: i === 0 ? 'catboost_v9' : `challenger_${i}`,
      model_role: i === 0 ? 'champion' : 'challenger',
      predicted_points: 20 + i / 3,
      features_snapshot: snapshot,
      missing_critical_features: ['vegas_points_line'], // equal arrays, distinct objects (as rows.ts builds them)
    }),
  );
  return [
    [playerPropPredictionsTable, rows],
    [requestOutcomesTable, [sampleOutcomeRow()]],
  ];
}

describe('write codec', () => {
  it('round-trips a push exactly, table by table and row by row', () => {
    const parts = push();
    expect(decodeParts(encodeParts(parts), TABLES)).toEqual(parts);
  });

  it('stores a value shared by every row once: a six-row push holds one copy of its snapshot, not six', () => {
    const parts = push();
    const snapshot = parts[0]![1][0]!.features_snapshot as string;
    const withoutSnapshot = encodeParts(push('{}')).length;
    expect(encodeParts(parts).length - withoutSnapshot).toBeLessThan(1.2 * snapshot.length);
    const rowWise = serialize(parts.map(([t, rows]) => [logName(t), rows])).length;
    expect(encodeParts(parts).length).toBeLessThan(rowWise / 2);
  });

  it('keeps values that only look alike apart: -0 and 0, NaN, equal-looking arrays of another length', () => {
    const rows = [
      { a: 0, b: Number.NaN, c: ['x'], d: null, e: 'same', f: ['x', 'y'] },
      { a: -0, b: Number.NaN, c: ['x', 'y'], d: null, e: 'same', f: ['x'] },
    ];
    const [[table, back]] = decodeParts(encodeParts([[requestOutcomesTable, rows]]), TABLES) as [[unknown, Array<Record<string, unknown>>]];
    expect(table).toBe(requestOutcomesTable);
    expect(Object.is(back[0]!.a, 0)).toBe(true);
    expect(Object.is(back[1]!.a, -0)).toBe(true);
    expect(back.every((r) => Number.isNaN(r.b))).toBe(true);
    expect(back.map((r) => r.c)).toEqual([['x'], ['x', 'y']]);
    expect(back.map((r) => r.f)).toEqual([['x', 'y'], ['x']]);
    expect(back.map((r) => [r.d, r.e])).toEqual([[null, 'same'], [null, 'same']]);
  });

  it('rows without the same keys are stored row by row, so an absent key stays absent', () => {
    const rows = [{ a: 1, b: 2 }, { a: 1 }, { a: 1, c: 3 }];
    const [[, back]] = decodeParts(encodeParts([[requestOutcomesTable, rows]]), TABLES);
    expect(back).toEqual(rows);
    expect(Object.keys(back[1]!)).toEqual(['a']);
    const sameCount = [{ a: 1, b: 2 }, { a: 1, c: 2 }]; // as many keys, not the same ones
    const [[, back2]] = decodeParts(encodeParts([[requestOutcomesTable, sameCount]]), TABLES);
    expect(back2.map((r) => Object.keys(r))).toEqual([['a', 'b'], ['a', 'c']]);
  });

  it('rows with the same keys in another order are folded and keep every value', () => {
    const rows = [{ a: 1, b: 'x' }, { b: 'x', a: 2 }];
    const [[, back]] = decodeParts(encodeParts([[requestOutcomesTable, rows]]), TABLES);
    expect(back).toEqual([{ a: 1, b: 'x' }, { a: 2, b: 'x' }]);
  });

  it('a row with an own key __proto__ (JSON.parse makes one) keeps it as a key, and keeps its prototype', () => {
    const rows = [JSON.parse('{"a":1,"__proto__":{"x":1}}'), JSON.parse('{"a":2,"__proto__":{"x":1}}')] as Array<Record<string, unknown>>;
    const [[, back]] = decodeParts(encodeParts([[requestOutcomesTable, rows]]), TABLES);
    expect(back.map((r) => Object.keys(r))).toEqual([['a', '__proto__'], ['a', '__proto__']]);
    expect(back.every((r) => Object.getPrototypeOf(r) === Object.prototype)).toBe(true);
  });

  it('reads the earlier row-by-row format (a log left by an earlier version replays)', () => {
    const parts = push();
    const earlier = serialize(parts.map(([t, rows]) => [logName(t), rows]));
    expect(decodeParts(earlier, TABLES)).toEqual(parts);
  });

  it('an empty write and empty tables round-trip', () => {
    expect(decodeParts(encodeParts([]), TABLES)).toEqual([]);
    expect(decodeParts(encodeParts([[featureStoreTable, []]]), TABLES)).toEqual([[featureStoreTable, []]]);
  });

  it('refuses a table it does not know, and bytes that are not a write', () => {
    expect(() => decodeParts(encodeParts(push()), new Map())).toThrow(/unknown table nba_predictions.player_prop_predictions/);
    expect(() => decodeParts(serialize({ not: 'a write' }), TABLES)).toThrow(/not a logged write/);
    expect(() => decodeParts(Buffer.from('garbage'), TABLES)).toThrow();
    const name = logName(requestOutcomesTable);
    const shortColumn = [2, [name, 3, ['a', 'b'], [true, false], [1, [1, 2]]]]; // column b holds 2 values for 3 rows
    expect(() => decodeParts(serialize(shortColumn), TABLES)).toThrow(/malformed folded table nba_predictions.prediction_request_outcomes/);
    expect(() => decodeParts(serialize([2, [name, 1, ['a', 'b'], [true], [1]]]), TABLES)).toThrow(/malformed/);
  });
});
