/**
 * Grading rewrites only the systems it graded (issue 8): a re-grade of a date never deletes
 * accuracy rows of a system it did not grade (another writer's rows in a shared table, or a
 * system with no predictions that day). Real embedded storage, in memory.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { validatedStorage } from '../../src/storage/validated.js';
import { trackWrites } from '../../src/worker/write-health.js';
import type { Storage } from '../../src/storage/storage.js';
import { runGradeJob } from '../../src/jobs/grade-job.js';
import { sampleAccuracyRow } from '../../src/storage/sample-rows.js';
import { GAME_DATE, actualRow, predictionRow } from '../helpers/post-game-rows.js';

let storage: Storage;
afterEach(async () => {
  await storage.close();
});

// The raw embedded storage, and the validated wrapper every entry point gets from openStorage
// (a wrapper that dropped the systems argument would widen the delete to the whole date).
describe.each([
  ['embedded', async () => openDuckDbStorage({ path: ':memory:' })],
  ['validated(embedded)', async () => validatedStorage(await openDuckDbStorage({ path: ':memory:' }))],
  ['trackWrites(validated(embedded))', async () => trackWrites(validatedStorage(await openDuckDbStorage({ path: ':memory:' }))).storage],
] as const)('grading scope: %s', (_name, open) => {
  beforeEach(async () => {
    storage = await open();
  });

  it("keeps another system's accuracy rows for the same date and replaces its own", async () => {
    const foreign = sampleAccuracyRow({ game_date: GAME_DATE, system_id: 'python_catboost_v9', model_role: 'champion' });
    const stale = sampleAccuracyRow({ game_date: GAME_DATE, system_id: 'catboost_v9', player_lookup: 'gone', absolute_error: 99 });
    await storage.accuracy.replaceDate(GAME_DATE, [foreign]);
    await storage.accuracy.replaceDate(GAME_DATE, [stale]);
    expect(await storage.accuracy.forRange(GAME_DATE, GAME_DATE)).toHaveLength(2);

    await storage.predictions.write([predictionRow({ system_id: 'catboost_v9' })]);
    await storage.actuals.upsert([actualRow()]);
    const result = await runGradeJob({ storage, gameDate: GAME_DATE, now: new Date('2026-02-11T11:00:00.000Z') });
    expect(result.rowsWritten).toBe(1);

    const after = await storage.accuracy.forRange(GAME_DATE, GAME_DATE);
    expect(after.map((r) => `${r.system_id}/${r.player_lookup}`).sort()).toEqual(['catboost_v9/lebronjames', `python_catboost_v9/${foreign.player_lookup}`].sort());
    expect(after.find((r) => r.system_id === 'python_catboost_v9')).toEqual(foreign);
    expect(after.some((r) => r.player_lookup === 'gone')).toBe(false); // its own stale row is replaced
  });

  it('a system named with no rows is cleared and the others kept, through the wrapper too', async () => {
    const a = sampleAccuracyRow({ game_date: GAME_DATE, system_id: 'sys_a' });
    const b = sampleAccuracyRow({ game_date: GAME_DATE, system_id: 'sys_b' });
    await storage.accuracy.replaceDate(GAME_DATE, [a, b]);
    await storage.accuracy.replaceDate(GAME_DATE, [], ['sys_a']);
    expect(await storage.accuracy.forRange(GAME_DATE, GAME_DATE)).toEqual([b]);
  });
});
