import { describe, expect, it } from 'vitest';
import { playerPropPredictionsTable, requestOutcomesTable, type AnyTable } from '../tables/index.js';
import { InsertBatcher, type StreamRow } from './insert-batcher.js';

const row = (id: string, extra: Record<string, unknown> = {}): StreamRow => ({ insertId: id, json: { id, ...extra } });

/** A fake insertAll that records calls and lets the test decide when (and whether) each succeeds. */
function fakeCalls(refuse: (r: StreamRow) => boolean = () => false) {
  const calls: Array<{ table: AnyTable; ids: string[]; settle: () => void }> = [];
  const call = (table: AnyTable, rows: readonly StreamRow[]) =>
    new Promise<void>((resolve, reject) => {
      const bad = rows.find(refuse);
      calls.push({ table, ids: rows.map((r) => r.insertId), settle: () => (bad ? reject(new Error(`row ${bad.insertId} refused`)) : resolve()) });
    });
  return { calls, call };
}

const settle = async (calls: Array<{ settle: () => void }>) => {
  // settle every call made so far, and those the retries make, until none is left
  for (let done = 0; ; ) {
    await new Promise((r) => setImmediate(r));
    if (done === calls.length) return;
    while (done < calls.length) calls[done++]!.settle();
  }
};

describe('InsertBatcher', () => {
  it('concurrent callers share one call per table, and each resolves only after that call succeeded', async () => {
    const { calls, call } = fakeCalls();
    const batcher = new InsertBatcher(call, { maxDelayMs: 1 });
    const states: string[] = ['pending', 'pending', 'pending'];
    const promises = [
      batcher.insert(playerPropPredictionsTable, [row('a1'), row('a2')]),
      batcher.insert(playerPropPredictionsTable, [row('b1')]),
      batcher.insert(requestOutcomesTable, [row('o1')]),
    ].map((p, i) => p.then(() => (states[i] = 'resolved')));
    const flushed = batcher.flush();
    await new Promise((r) => setImmediate(r));
    expect(calls.map((c) => [c.table.name, c.ids])).toEqual([
      ['player_prop_predictions', ['a1', 'a2', 'b1']],
      ['prediction_request_outcomes', ['o1']],
    ]);
    expect(states).toEqual(['pending', 'pending', 'pending']); // no ack before the insert succeeded
    await settle(calls);
    await Promise.all(promises);
    await flushed;
    expect(states).toEqual(['resolved', 'resolved', 'resolved']);
    expect(batcher.stats).toMatchObject({ calls: 2, rows: 4 });
  });

  it('a call goes out at maxRows; a caller\'s rows are never split', async () => {
    const { calls, call } = fakeCalls();
    const batcher = new InsertBatcher(call, { maxDelayMs: 1000, maxRows: 3 });
    const all = Promise.all([
      batcher.insert(playerPropPredictionsTable, [row('a1'), row('a2')]),
      batcher.insert(playerPropPredictionsTable, [row('b1'), row('b2')]),
      batcher.insert(playerPropPredictionsTable, [row('c1')]),
    ]);
    await new Promise((r) => setImmediate(r));
    // b would overflow a's call: a goes alone; b + c reach maxRows and go at once (no delay).
    expect(calls.map((c) => c.ids)).toEqual([['a1', 'a2'], ['b1', 'b2', 'c1']]);
    await settle(calls);
    await all;
  });

  it('one refused row fails only its own caller; the others are stored and resolved', async () => {
    const { calls, call } = fakeCalls((r) => r.insertId === 'bad');
    const batcher = new InsertBatcher(call, { maxDelayMs: 1 });
    const settled = Promise.allSettled([
      batcher.insert(playerPropPredictionsTable, [row('a1')]),
      batcher.insert(playerPropPredictionsTable, [row('bad'), row('b2')]),
      batcher.insert(playerPropPredictionsTable, [row('c1')]),
    ]);
    const flushed = batcher.flush();
    await settle(calls);
    const results = await settled;
    await flushed;
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // the shared call, then one call per caller
    expect(calls.map((c) => c.ids)).toEqual([['a1', 'bad', 'b2', 'c1'], ['a1'], ['bad', 'b2'], ['c1']]);
  });
});
