import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { isPwError, pwError } from '../../errors.js';
import { runStorageContract } from '../storage.contract.js';
import type { Storage } from '../storage.js';
import { samplePredictionRow, sampleOutcomeRow, SAMPLE_DATE } from '../sample-rows.js';
import { playerPropPredictionsTable, requestOutcomesTable } from '../tables/index.js';
import { BufferedWrites } from './buffered-writes.js';
import { openDuckDbStorage } from './duckdb-storage.js';
import { TableReader } from './table-reader.js';
import { IngestLog, TABLES_BY_LOG_NAME, decodeRecords, ingestLogDir, readAll, segmentsIn, type LoggedParts } from './ingest-log.js';
import type { WriteQueue } from './write-queue.js';

const root = mkdtempSync(join(tmpdir(), 'pw-buffered-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(root, `db-${n++}`, 'prediction-worker.duckdb');
/** Nothing is applied unless a read, a close or the test asks (no size or time trigger). */
const HOLD = { maxWrites: 1_000_000, maxDelayMs: 3_600_000 };

const rowsOf = (i: number) => [
  samplePredictionRow({ prediction_id: String(i).padStart(31, '0') + 'a', message_id: `m${i}`, player_lookup: `player${i}` }),
  samplePredictionRow({ prediction_id: String(i).padStart(31, '0') + 'b', message_id: `m${i}`, player_lookup: `player${i}`, system_id: 'challenger_a', model_role: 'challenger' }),
];

/** Message `m<i>`: its two prediction rows and its outcome, as one push writes them. */
const writeMessage = (storage: Storage, i: number) => storage.predictions.write(rowsOf(i), sampleOutcomeRow({ message_id: `m${i}` }));

// The contract over a database FILE, where the hot tables go through the ingest log.
runStorageContract({ name: 'duckdb file (ingest log)', create: () => openDuckDbStorage({ path: freshPath() }) });
runStorageContract({ name: 'duckdb file (ingest log, applied only on reads)', create: () => openDuckDbStorage({ path: freshPath(), ingest: HOLD }) });

describe('buffered writes over a database file', () => {
  it('an acknowledged write survives a process that dies without closing: the next open applies the log', () => {
    const path = freshPath();
    const script = join(root, 'crash.mts'); // an ES module wherever it lives (top-level await)
    const here = (p: string) => pathToFileURL(resolve(import.meta.dirname, p)).href;
    writeFileSync(
      script,
      [
        `import { openDuckDbStorage } from '${here('./duckdb-storage.ts')}';`,
        `import { samplePredictionRow, sampleOutcomeRow } from '${here('../sample-rows.ts')}';`,
        `const s = await openDuckDbStorage({ path: ${JSON.stringify(path)}, ingest: { maxWrites: 1e6, maxDelayMs: 3.6e6 } });`,
        `await Promise.all(Array.from({ length: 25 }, (_, i) => s.predictions.write(`,
        `  [samplePredictionRow({ prediction_id: String(i).padStart(32, '0'), message_id: 'm' + i, player_lookup: 'p' + i })],`,
        `  sampleOutcomeRow({ message_id: 'm' + i }))));`,
        `console.log('acknowledged');`,
        `process.exit(0); // no close: the rows are only in the ingest log`,
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.stdout.trim(), child.stderr).toBe('acknowledged');
    expect(segmentsIn(ingestLogDir(path)).length).toBeGreaterThan(0);
    return (async () => {
      // Read-only cannot apply the log: refused, naming the folder and the way out.
      const refused = await openDuckDbStorage({ path, readOnly: true }).then(() => null, (e: unknown) => e);
      expect(isPwError(refused, 'PW_ERR_STORAGE_READ')).toBe(true);
      expect((refused as Error).message).toContain(ingestLogDir(path));
      // A read-write open applies it; the folder goes once applied and closed.
      const storage = await openDuckDbStorage({ path });
      expect(await storage.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(25);
      expect(await storage.outcomes.forDate(SAMPLE_DATE)).toHaveLength(25);
      await storage.close();
      expect(existsSync(ingestLogDir(path))).toBe(false);
      const readOnly = await openDuckDbStorage({ path, readOnly: true });
      expect(await readOnly.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(25);
      await readOnly.close();
    })();
  });

  it('a process killed between two slices of a batch loses no acknowledged write, including those acknowledged during the batch', async () => {
    const path = freshPath();
    const script = join(root, 'kill-mid-batch.mts');
    const report = join(root, 'kill-mid-batch.json');
    const here = (p: string) => pathToFileURL(resolve(import.meta.dirname, p)).href;
    writeFileSync(
      script,
      [
        `import { writeFileSync } from 'node:fs';`,
        `import { DuckDBAppender } from '${pathToFileURL(createRequire(import.meta.url).resolve('@duckdb/node-api')).href}';`,
        `import { openDuckDbStorage } from '${here('./duckdb-storage.ts')}';`,
        `import { samplePredictionRow, sampleOutcomeRow } from '${here('../sample-rows.ts')}';`,
        `const acked = [];`,
        `let chunks = 0, ackedAtFirstChunk = -1;`,
        `const append = DuckDBAppender.prototype.appendDataChunk;`,
        `DuckDBAppender.prototype.appendDataChunk = function (chunk) {`,
        `  if (chunks++ === 0) ackedAtFirstChunk = acked.length;`,
        `  // the 6th slice of the first batch: SIGKILL in the next turn, between two slices`,
        `  if (chunks === 6) setImmediate(() => { writeFileSync(${JSON.stringify(report)}, JSON.stringify({ acked, ackedAtFirstChunk })); process.kill(process.pid, 'SIGKILL'); });`,
        `  return append.call(this, chunk);`,
        `};`,
        `const s = await openDuckDbStorage({ path: ${JSON.stringify(path)}, ingest: { maxWrites: 40, maxDelayMs: 3.6e6 } });`,
        `for (let i = 0; i < 400; i++) {`,
        `  const rows = Array.from({ length: 6 }, (_, k) => samplePredictionRow({ prediction_id: String(i).padStart(31, '0') + k, system_id: 'sys' + k, message_id: 'm' + i, player_lookup: 'p' + i }));`,
        `  void s.predictions.write(rows, sampleOutcomeRow({ message_id: 'm' + i })).then(() => acked.push(i));`,
        `  if (i % 10 === 9) await new Promise((r) => setImmediate(r));`,
        `}`,
        `await new Promise((r) => setTimeout(r, 10_000));`,
      ].join('\n'),
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    const { acked, ackedAtFirstChunk } = JSON.parse(readFileSync(report, 'utf8')) as { acked: number[]; ackedAtFirstChunk: number };
    // The kill came while a batch was being applied, after pushes had been acknowledged during it.
    expect(ackedAtFirstChunk).toBeGreaterThanOrEqual(40);
    expect(acked.length).toBeGreaterThan(ackedAtFirstChunk);
    const storage = await openDuckDbStorage({ path });
    try {
      const rows = await storage.predictions.allPredictions(SAMPLE_DATE);
      const outcomes = new Set((await storage.outcomes.forDate(SAMPLE_DATE)).map((o) => o.message_id));
      const perMessage = new Map<string, number>();
      for (const r of rows) perMessage.set(r.message_id, (perMessage.get(r.message_id) ?? 0) + 1);
      expect(acked.filter((i) => perMessage.get(`m${i}`) !== 6 || !outcomes.has(`m${i}`))).toEqual([]);
    } finally {
      await storage.close();
    }
  });

  it('the outcome lookup answers acknowledged outcomes from memory, without applying the log', async () => {
    const path = freshPath();
    const storage = await openDuckDbStorage({ path, ingest: HOLD });
    try {
      await storage.predictions.write(rowsOf(1), sampleOutcomeRow({ message_id: 'm1', payload_digest: 'd1' }));
      await storage.outcomes.record(sampleOutcomeRow({ message_id: 'm2', outcome: 'rejected', reason_code: 'PW_ERR_X', reason: 'x', rows_written: 0, systems: [] }));
      const found = await storage.outcomes.findMany(['m1', 'm2', 'never']);
      expect(found.map((o) => [o.message_id, o.outcome, o.payload_digest]).sort()).toEqual([
        ['m1', 'written', 'd1'],
        ['m2', 'rejected', 'a'.repeat(64)],
      ]);
      expect(segmentsIn(ingestLogDir(path)).length).toBeGreaterThan(0); // still only in the log
      // Any other read applies first: read-your-writes.
      expect(await storage.outcomes.forDate(SAMPLE_DATE)).toHaveLength(2);
      expect(segmentsIn(ingestLogDir(path))).toEqual([]);
      // Applied, the lookup reads the table and finds the same.
      expect((await storage.outcomes.findMany(['m1'])).map((o) => o.payload_digest)).toEqual(['d1']);
    } finally {
      await storage.close();
    }
  });

  it('the outcome lookup of an id never stored reads nothing; a stored id is read from the table', async () => {
    const path = freshPath();
    const storage = await openDuckDbStorage({ path });
    const select = vi.spyOn(TableReader.prototype, 'select');
    try {
      await writeMessage(storage, 1);
      await storage.outcomes.forDate(SAMPLE_DATE); // applies the log: m1 is in the table now
      select.mockClear();
      expect(await storage.outcomes.findMany(['never-1', 'never-2'])).toEqual([]);
      expect(select).not.toHaveBeenCalled(); // the known-id filter answered
      expect((await storage.outcomes.findMany(['m1', 'never-1'])).map((o) => o.message_id)).toEqual(['m1']);
      expect(select).toHaveBeenCalledTimes(1);
      expect(select.mock.calls[0]![2]).toEqual(['m1']); // only the id the filter may know
    } finally {
      select.mockRestore();
      await storage.close();
    }
  });

  it('a batch is applied once maxWrites are waiting, as one transaction, last write per key winning', async () => {
    const path = freshPath();
    const storage = await openDuckDbStorage({ path, ingest: { maxWrites: 4, maxDelayMs: 3_600_000 } });
    try {
      for (let i = 0; i < 3; i++) await writeMessage(storage, i);
      expect(segmentsIn(ingestLogDir(path)).length).toBe(1);
      // The 4th write (a redelivery of m0 with a later outcome) triggers the batch.
      await storage.predictions.write(rowsOf(0), sampleOutcomeRow({ message_id: 'm0', delivery_attempt: 2 }));
      await vi.waitFor(() => expect(segmentsIn(ingestLogDir(path))).toEqual([]));
      const rows = await storage.predictions.allPredictions(SAMPLE_DATE);
      expect(rows).toHaveLength(6);
      expect((await storage.outcomes.findMany(['m0']))[0]?.delivery_attempt).toBe(2);
    } finally {
      await storage.close();
    }
  });

  it('close applies every write acknowledged while it runs; a write after close is refused', async () => {
    const path = freshPath();
    const storage = await openDuckDbStorage({ path, ingest: HOLD });
    const writes = Array.from({ length: 20 }, (_, i) => writeMessage(storage, i));
    await storage.close();
    const settled = await Promise.allSettled(writes);
    expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
    const late = await storage.predictions.write(rowsOf(99)).then(() => null, (e: unknown) => e);
    expect(isPwError(late, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(existsSync(ingestLogDir(path))).toBe(false);
    const readOnly = await openDuckDbStorage({ path, readOnly: true });
    expect(await readOnly.outcomes.forDate(SAMPLE_DATE)).toHaveLength(20);
    expect(await readOnly.predictions.allPredictions(SAMPLE_DATE)).toHaveLength(40);
    await readOnly.close();
  });

  it('a batch is applied maxDelayMs after the first acknowledgement without any read', async () => {
    const path = freshPath();
    const storage = await openDuckDbStorage({ path, ingest: { maxWrites: 1_000_000, maxDelayMs: 20 } });
    try {
      await writeMessage(storage, 1);
      await vi.waitFor(() => expect(segmentsIn(ingestLogDir(path))).toEqual([]), { timeout: 5000 });
    } finally {
      await storage.close();
    }
  });
});

describe('BufferedWrites when applying fails', () => {
  const parts = (i: number): LoggedParts => [[playerPropPredictionsTable, rowsOf(i)], [requestOutcomesTable, [sampleOutcomeRow({ message_id: `m${i}` })]]];

  /** A queue whose every batch waits for `release()`; `batches` lists each batch's message ids. */
  function gatedQueue() {
    const gates: Array<() => void> = [];
    const batches: string[][] = [];
    const applied: string[] = [];
    const queue = {
      enqueue: vi.fn(async (p: LoggedParts) => {
        const ids = p.find(([t]) => t === requestOutcomesTable)![1].map((r) => String(r.message_id));
        batches.push(ids);
        await new Promise<void>((r) => gates.push(r)); // a slow batch (a checkpoint)
        applied.push(...ids);
      }),
    } as unknown as WriteQueue;
    const release = async () => {
      await vi.waitFor(() => expect(gates.length).toBeGreaterThan(0));
      gates.shift()!();
    };
    return { queue, batches, applied, release };
  }
  const tick = () => new Promise((r) => setImmediate(r));
  const settled = (p: Promise<unknown>) => Promise.race([p.then(() => true, () => true), tick().then(() => false)]);

  it('backpressure: a write past maxPending waits until a batch has taken the waiting writes, not until that batch is applied', async () => {
    const dir = join(root, `stub-${n++}`);
    const { queue, batches, applied, release } = gatedQueue();
    const writes = new BufferedWrites(new IngestLog(dir), queue, { ...HOLD, maxPending: 2 });
    await writes.enqueue(parts(0));
    const first = writes.drain(); // a batch of m0, held
    await vi.waitFor(() => expect(batches).toEqual([['m0']]));
    await writes.enqueue(parts(1));
    await writes.enqueue(parts(2)); // maxPending writes wait
    const third = writes.enqueue(parts(3));
    expect(await settled(third)).toBe(false); // no room while the batch of m0 is being applied
    await release(); // m0 applied; the next batch takes m1 and m2 (and is held)
    await third; // acknowledged once they were taken ...
    expect(batches).toEqual([['m0'], ['m1', 'm2']]);
    expect(applied).toEqual(['m0']); // ... while they are still being applied
    await first;
    const closing = writes.close();
    await release(); // m1, m2
    await release(); // m3, the close's batch
    await closing;
    expect(applied).toEqual(['m0', 'm1', 'm2', 'm3']);
    expect(existsSync(dir)).toBe(false);
  });

  it('writes that arrive during a slow batch are applied as ONE batch after it, not one batch each', async () => {
    const dir = join(root, `stub-${n++}`);
    const { queue, batches, release } = gatedQueue();
    const writes = new BufferedWrites(new IngestLog(dir), queue, { maxWrites: 2, maxDelayMs: 3_600_000 });
    await writes.enqueue(parts(1));
    await writes.enqueue(parts(2)); // maxWrites: a batch of m1, m2 starts (held)
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    for (const i of [3, 4, 5]) await writes.enqueue(parts(i)); // each past maxWrites asks for a batch
    await release();
    await vi.waitFor(() => expect(batches).toHaveLength(2));
    await writes.enqueue(parts(6)); // arrives during the second batch; below maxWrites, so it waits
    await release();
    for (let i = 0; i < 5; i++) await tick();
    expect(batches).toEqual([['m1', 'm2'], ['m3', 'm4', 'm5']]); // m6 waits for maxWrites or maxDelayMs
    const closing = writes.close();
    await release();
    await closing;
    expect(batches).toEqual([['m1', 'm2'], ['m3', 'm4', 'm5'], ['m6']]);
  });

  it('a write waiting for room is rejected, not left waiting, when the apply fails before taking the batch', async () => {
    const dir = join(root, `stub-${n++}`);
    const queue = { enqueue: vi.fn(async () => undefined) } as unknown as WriteQueue;
    const log = new IngestLog(dir);
    const writes = new BufferedWrites(log, queue, { ...HOLD, maxPending: 1 });
    await writes.enqueue(parts(1));
    const seal = log.seal.bind(log);
    log.seal = () => {
      throw new Error('EMFILE: too many open files');
    };
    await expect(writes.enqueue(parts(2))).rejects.toThrow(/EMFILE/);
    log.seal = seal;
    await writes.close();
    expect(queue.enqueue).toHaveBeenCalledTimes(1); // m1, applied by the close; m2 was never acknowledged
    expect(existsSync(dir)).toBe(false);
  });

  it('a write waiting for backpressure when close begins is refused: nothing acknowledged is left unapplied in the log', async () => {
    const dir = join(root, `stub-${n++}`);
    const { queue, batches, applied, release } = gatedQueue();
    const writes = new BufferedWrites(new IngestLog(dir), queue, { ...HOLD, maxPending: 2 });
    await writes.enqueue(parts(1));
    void writes.drain().catch(() => undefined); // a slow batch of m1
    await vi.waitFor(() => expect(batches).toHaveLength(1));
    await writes.enqueue(parts(2));
    await writes.enqueue(parts(3));
    const waiting = writes.enqueue(parts(4)).then(() => 'acknowledged', (e: unknown) => e); // waits for room
    await tick();
    const closing = writes.close(); // begins while it waits
    await release(); // m1; the next batch takes m2, m3 and wakes the waiting write, which sees the close
    await release();
    const [fourth] = await Promise.all([waiting, closing]);
    expect(isPwError(fourth, 'PW_ERR_SINK_WRITE')).toBe(true); // refused (retryable), never acknowledged
    expect(applied).toEqual(['m1', 'm2', 'm3']);
    expect(existsSync(dir)).toBe(false); // every acknowledged write applied, its segment deleted
  });

  it('a write check once close has begun is refused, and leaves no record behind the close', async () => {
    const dir = join(root, `stub-${n++}`);
    const queue = { enqueue: vi.fn(async () => undefined) } as unknown as WriteQueue;
    const writes = new BufferedWrites(new IngestLog(dir), queue, HOLD);
    await writes.enqueue(parts(1));
    const closing = writes.close();
    const check = await writes.checkHealth().then(() => null, (e: unknown) => e);
    await closing;
    expect(isPwError(check, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(existsSync(dir)).toBe(false); // every segment applied and deleted, the folder removed
    expect(queue.enqueue).toHaveBeenCalledTimes(1);
  });

  it('a write waiting for room when the batch being applied fails is refused (retryable), never acknowledged; the others are kept', async () => {
    const dir = join(root, `stub-${n++}`);
    let failing = true;
    const gates: Array<() => void> = [];
    const applied: string[] = [];
    const queue = {
      enqueue: vi.fn(async (p: LoggedParts) => {
        await new Promise<void>((r) => gates.push(r)); // a slow batch
        if (failing) throw pwError('PW_ERR_SINK_WRITE', 'db', 'No space left on device');
        applied.push(...p.find(([t]) => t === requestOutcomesTable)![1].map((r) => String(r.message_id)));
      }),
    } as unknown as WriteQueue;
    const release = async () => {
      await vi.waitFor(() => expect(gates.length).toBeGreaterThan(0));
      gates.shift()!();
    };
    const writes = new BufferedWrites(new IngestLog(dir), queue, { ...HOLD, maxPending: 2, retryMs: 3_600_000 }, undefined, () => Promise.reject(new Error('disk full')));
    await writes.enqueue(parts(1));
    const first = writes.drain().catch((e: unknown) => e); // a slow batch of m1, which fails
    await vi.waitFor(() => expect(queue.enqueue).toHaveBeenCalledTimes(1));
    await writes.enqueue(parts(2));
    await writes.enqueue(parts(3));
    const waiting = writes.enqueue(parts(4)).then(() => 'acknowledged', (e: unknown) => e); // waits for room
    await release(); // the batch of m1 fails ...
    await release(); // ... and so does m1 alone (the store refuses the probe too: a failing store)
    expect(isPwError(await first, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(isPwError(await waiting, 'PW_ERR_SINK_WRITE')).toBe(true); // refused, never acknowledged
    failing = false;
    const closing = writes.close();
    await release(); // the retry queued behind the failed batch takes m1, m2, m3
    await closing;
    expect(applied.sort()).toEqual(['m1', 'm2', 'm3']);
    expect(existsSync(dir)).toBe(false);
  });

  it('refuses new writes and fails the write check until a retry applies the batch; nothing is lost', async () => {
    const dir = join(root, `stub-${n++}`);
    let failing = true;
    const applied: LoggedParts[] = [];
    const queue = {
      enqueue: vi.fn(async (p: LoggedParts) => {
        if (failing) throw pwError('PW_ERR_SINK_WRITE', 'db', 'No space left on device');
        applied.push(p);
      }),
    } as unknown as WriteQueue;
    const log = new IngestLog(dir);
    const writes = new BufferedWrites(log, queue, { maxWrites: 1_000_000, maxDelayMs: 3_600_000, retryMs: 10 });
    await writes.enqueue(parts(1));
    await writes.enqueue(parts(2));
    const drained = await writes.drain().then(() => null, (e: unknown) => e);
    expect(isPwError(drained, 'PW_ERR_SINK_WRITE')).toBe(true);
    await expect(writes.checkHealth()).rejects.toThrow(/No space left/);
    const refused = await writes.enqueue(parts(3)).then(() => null, (e: unknown) => e);
    expect(isPwError(refused, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(segmentsIn(dir).length).toBeGreaterThan(0); // the log keeps them
    expect(writes.pendingOutcome('m1')?.message_id).toBe('m1');
    failing = false;
    await vi.waitFor(() => expect(writes.checkHealth()).resolves.toBeUndefined(), { timeout: 5000 });
    // Both acknowledged writes were applied (combined into one batch write); the refused one never was.
    const ids = applied.flatMap((p) => p.find(([t]) => t === requestOutcomesTable)![1].map((r) => r.message_id));
    expect(ids.sort()).toEqual(['m1', 'm2']);
    // The acknowledged writes' segments are gone (what may remain are the write check's empty probes).
    expect(readAll(dir, TABLES_BY_LOG_NAME).records.filter((r) => r.length > 0)).toEqual([]);
    expect(writes.pendingOutcome('m1')).toBeUndefined();
    await writes.enqueue(parts(4));
    await writes.close();
    expect(readdirSync(root).includes(dir.split('/').pop()!)).toBe(false);
  });
});

describe('the outcome lookup after a restart', () => {
  it('finds an outcome stored before the restart, with or without the known-id filter loaded', async () => {
    const path = freshPath();
    const first = await openDuckDbStorage({ path });
    await first.predictions.write(rowsOf(1), sampleOutcomeRow({ message_id: 'm1', payload_digest: 'd1' }));
    await first.close();
    const storage = await openDuckDbStorage({ path });
    try {
      expect((await storage.outcomes.findMany(['m1', 'm2'])).map((o) => o.payload_digest)).toEqual(['d1']); // right after open
      await new Promise((r) => setTimeout(r, 300)); // the filter of a one-row table is loaded by now
      expect((await storage.outcomes.findMany(['m1', 'm2'])).map((o) => o.payload_digest)).toEqual(['d1']);
    } finally {
      await storage.close();
    }
  });
});

describe('BufferedWrites and a write DuckDB refuses (poison)', () => {
  const parts = (id: string): LoggedParts => [[requestOutcomesTable, [sampleOutcomeRow({ message_id: id })]]];
  const ids = (p: LoggedParts) => p.flatMap(([, rows]) => rows.map((r) => r.message_id));

  it('is set aside in the quarantine file with a warning; the others are applied and nothing is retried forever', async () => {
    const dir = join(root, `poison-${n++}`);
    const applied: string[] = [];
    const queue = {
      enqueue: vi.fn(async (p: LoggedParts) => {
        if (ids(p).includes('poison')) throw pwError('PW_ERR_SINK_WRITE', 'db', 'Conversion Error: date field value out of range');
        applied.push(...(ids(p) as string[]));
      }),
    } as unknown as WriteQueue;
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    const writes = new BufferedWrites(new IngestLog(dir), queue, HOLD, undefined, async () => undefined);
    try {
      for (const id of ['a', 'poison', 'b']) await writes.enqueue(parts(id));
      await writes.drain();
      expect(applied.sort()).toEqual(['a', 'b']);
      expect(writes.quarantined).toBe(1);
      expect(decodeRecords(readFileSync(writes.quarantineFile), TABLES_BY_LOG_NAME, writes.quarantineFile).map(ids)).toEqual([['poison']]);
      await writes.checkHealth(); // healthy: it blocks nothing
      await writes.enqueue(parts('c'));
      await writes.drain();
      expect(applied).toContain('c');
      await vi.waitFor(() => expect(warnings.join(' ')).toContain(writes.quarantineFile));
    } finally {
      process.off('warning', onWarning);
      await writes.close();
    }
  });

  it('when every write fails and the store refuses the probe too, it is a failing store: retried, not set aside', async () => {
    const dir = join(root, `down-${n++}`);
    const queue = { enqueue: vi.fn(async () => Promise.reject(pwError('PW_ERR_SINK_WRITE', 'db', 'No space left on device'))) } as unknown as WriteQueue;
    const writes = new BufferedWrites(new IngestLog(dir), queue, { ...HOLD, retryMs: 3_600_000 }, undefined, async () => Promise.reject(new Error('ENOSPC')));
    await writes.enqueue(parts('x'));
    await expect(writes.drain()).rejects.toThrow(/No space left/);
    expect(writes.quarantined).toBe(0);
    expect(existsSync(writes.quarantineFile)).toBe(false);
  });
});
