// Breaker test (issue 10 review): a write acknowledged into the ingest log that DuckDB then
// refuses ("poison"). Before the ingest log, the write queue rejected such a write alone
// (write-queue.ts: "one bad write is rejected alone ... while the others are stored"). Now it is
// acknowledged first, and then: every later write is refused (its batch is retried forever) and,
// after a restart, replay fails so the store cannot even open. The row below passes the tables'
// zod schemas (isoDate is a YYYY-MM-DD regex, so 2026-02-30 passes) and validatedStorage, and is
// refused by DuckDB's DATE cast. The worker's own pushes validate game_date as a calendar date, so
// today this is reachable through other writers of these tables (CLI, jobs, a future caller) and
// through any other zod-valid/DuckDB-invalid value (e.g. isoTimestamp accepts '2026-01-01T99:99:99Z').
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sampleOutcomeRow, SAMPLE_DATE } from '../sample-rows.js';
import { validatedStorage } from '../validated.js';
import { openDuckDbStorage } from './duckdb-storage.js';

const root = mkdtempSync(join(tmpdir(), 'pw-ingest-poison-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

it('one outcome DuckDB refuses does not wedge every later write nor the next open (breaker)', async () => {
  const path = join(root, 'db.duckdb');
  const storage = validatedStorage(await openDuckDbStorage({ path, ingest: { retryMs: 50 } }));
  const bad = storage.outcomes.record(sampleOutcomeRow({ message_id: 'poison', game_date: '2026-02-30' })).then(
    () => 'acknowledged',
    () => 'refused',
  );
  const verdict = await bad;
  // Whatever the verdict on the bad write, the good ones after it must be stored and readable.
  const good = await storage.outcomes.record(sampleOutcomeRow({ message_id: 'good-1' })).then(
    () => 'ok',
    (e: unknown) => String(e),
  );
  const read = await storage.outcomes.forDate(SAMPLE_DATE).then(
    (rows) => rows.map((r) => r.message_id),
    (e: unknown) => String(e),
  );
  await storage.close().catch(() => undefined);
  const reopened = await openDuckDbStorage({ path }).then(
    async (s) => {
      await s.close();
      return 'opened';
    },
    (e: unknown) => String(e),
  );
  expect({ verdict, good, read, reopened }).toEqual({ verdict: 'refused', good: 'ok', read: ['good-1'], reopened: 'opened' });
});
