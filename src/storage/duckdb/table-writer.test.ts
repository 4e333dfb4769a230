import { DuckDBAppender, DuckDBInstance } from '@duckdb/node-api';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { playerPropPredictionsTable, duckDbDdl } from '../tables/index.js';
import { samplePredictionRow } from '../sample-rows.js';
import { APPEND_SLICE_ROWS, TableWriter } from './table-writer.js';
import { fromDuckDbRow, selectFrom } from './values.js';

afterEach(() => vi.restoreAllMocks());

describe('TableWriter.commitAppend', () => {
  it('appends a large batch in slices, letting the event loop run between them, and stores every row exactly', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    await conn.run(duckDbDdl(playerPropPredictionsTable));
    const writer = new TableWriter(instance, conn);
    const rows = Array.from({ length: 3 * APPEND_SLICE_ROWS + 5 }, (_, i) =>
      samplePredictionRow({ prediction_id: `${i}`.padStart(32, '0'), message_id: `m${i}`, predicted_points: i / 7 }),
    );
    // Record what happens in which order: each chunk appended, and callbacks of the event loop
    // scheduled while the batch is being built (a push reaching the ingest log, in the worker).
    const events: string[] = [];
    const append = DuckDBAppender.prototype.appendDataChunk;
    vi.spyOn(DuckDBAppender.prototype, 'appendDataChunk').mockImplementation(function (this: DuckDBAppender, chunk) {
      events.push('chunk');
      setImmediate(() => events.push('turn'));
      return append.call(this, chunk);
    });
    try {
      await writer.commitAppend(new Map([[playerPropPredictionsTable, rows]]));
      // 4 chunks of at most APPEND_SLICE_ROWS rows, and the loop ran between each two of them.
      expect(events.slice(0, 7)).toEqual(['chunk', 'turn', 'chunk', 'turn', 'chunk', 'turn', 'chunk']);
      const stored = (await conn.runAndReadAll(`${selectFrom(playerPropPredictionsTable)} ORDER BY prediction_id`))
        .getRowObjectsJS()
        .map((r) => fromDuckDbRow(playerPropPredictionsTable, r));
      expect(stored).toEqual(rows);
    } finally {
      writer.close();
    }
  });
});
