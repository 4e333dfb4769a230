// Breaker tests (issue 10 review): the ingest log folder itself is not usable.
// 1. `<db>.ingest` is a file (or otherwise not a folder): open fails with a bare Node ENOTDIR
//    (no PwError code, not from errors.ts), for the worker and for every CLI read.
// 2. The folder cannot be written while the worker runs (here: the next segment is /dev/full, as in
//    test/worker/ready-write-check.test.ts): the active write check behind /ready still passes,
//    because it writes `worker_write_check` through DuckDB only, never through the ingest log that
//    every push now depends on; /ready turns 503 only after a push failed.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { sampleOutcomeRow } from '../sample-rows.js';
import { openDuckDbStorage } from './duckdb-storage.js';
import { ingestLogDir } from './ingest-log.js';

const root = mkdtempSync(join(tmpdir(), 'pw-ingest-folder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('ingest log folder unusable (breaker)', () => {
  it.each([false, true])('a file where the folder should be is refused with a PwError naming it (readOnly=%s)', async (readOnly) => {
    const path = join(root, `file-${readOnly}.duckdb`);
    if (readOnly) await (await openDuckDbStorage({ path })).close();
    writeFileSync(ingestLogDir(path), 'not a folder');
    const err = await openDuckDbStorage({ path, readOnly }).then(
      async (s) => {
        await s.close();
        return null;
      },
      (e: unknown) => e,
    );
    expect(isPwError(err, 'PW_ERR_STORAGE_READ') || isPwError(err, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(String(err)).toContain(ingestLogDir(path));
  });

  it.skipIf(!existsSync('/dev/full'))('the write check fails while the ingest log cannot be written', async () => {
    const path = join(root, 'full.duckdb');
    const storage = await openDuckDbStorage({ path });
    try {
      const dir = ingestLogDir(path);
      mkdirSync(dir, { recursive: true });
      for (let seq = 1; seq <= 20; seq++) symlinkSync('/dev/full', join(dir, `${String(seq).padStart(10, '0')}.log`));
      const check = await storage.checkWrite().then(() => 'passed', (e: unknown) => String(e));
      const push = await storage.outcomes.record(sampleOutcomeRow({ message_id: 'm1' })).then(() => 'acknowledged', (e: unknown) => String(e));
      expect(push).toMatch(/ENOSPC/); // the push is refused (503, retryable): fine
      expect(check).not.toBe('passed'); // but /ready said ready until it was
    } finally {
      rmSync(ingestLogDir(path), { recursive: true, force: true });
      await storage.close().catch(() => undefined);
    }
  });
});
