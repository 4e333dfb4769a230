import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { samplePredictionRow, sampleOutcomeRow } from '../sample-rows.js';
import { playerPropPredictionsTable, requestOutcomesTable } from '../tables/index.js';
import { IngestLog, decodeRecords, encodeRecord, readAll, segmentsIn, type LoggedParts } from './ingest-log.js';
import { encodeParts } from './write-codec.js';
import { TABLES_BY_LOG_NAME } from './ingest-log.js';

const TABLES = TABLES_BY_LOG_NAME;
const root = mkdtempSync(join(tmpdir(), 'pw-ingest-log-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `log-${n++}`);
const push = (i: number): LoggedParts => [
  [playerPropPredictionsTable, [samplePredictionRow({ prediction_id: String(i).padStart(32, '0'), message_id: `m${i}` })]],
  [requestOutcomesTable, [sampleOutcomeRow({ message_id: `m${i}` })]],
];

describe('ingest log records', () => {
  it('round-trip every value exactly, non-finite numbers and -0 included (JSON would not)', () => {
    const row = { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: -0, d: 'é ☃ \u0000', e: [1.1, null], f: null, g: 0.1 + 0.2 };
    const [back] = decodeRecords(encodeRecord(encodeParts([[requestOutcomesTable, [row]]])), TABLES, 'x');
    expect(back![0]![0]).toBe(requestOutcomesTable);
    const got = back![0]![1][0]!;
    expect(Object.is(got.a, Number.NaN)).toBe(true);
    expect(got.b).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(got.c, -0)).toBe(true);
    expect(got).toMatchObject({ d: row.d, e: row.e, f: null, g: row.g });
  });

  it('a torn last record (cut anywhere) is ignored: it was never acknowledged', () => {
    const bytes = Buffer.concat([encodeRecord(encodeParts(push(1))), encodeRecord(encodeParts(push(2)))]);
    const first = encodeRecord(encodeParts(push(1))).length;
    for (const cut of [first + 3, first + 8, bytes.length - 1]) {
      expect(decodeRecords(bytes.subarray(0, cut), TABLES, 'x')).toHaveLength(1);
    }
    expect(decodeRecords(bytes, TABLES, 'x')).toHaveLength(2);
  });

  it('a complete record whose checksum fails is refused with PW_ERR_STORAGE_READ, not dropped', () => {
    const bytes = Buffer.concat([encodeRecord(encodeParts(push(1))), encodeRecord(encodeParts(push(2)))]);
    bytes[bytes.length - 5]! ^= 0xff;
    let err: unknown;
    try {
      decodeRecords(bytes, TABLES, '/some/segment.log');
    } catch (e) {
      err = e;
    }
    expect(isPwError(err, 'PW_ERR_STORAGE_READ')).toBe(true);
    expect((err as Error).message).toContain('/some/segment.log');
  });
});

describe('IngestLog', () => {
  it('appends made while a sync runs share the next one; every record is read back in order', async () => {
    const dir = freshDir();
    const log = new IngestLog(dir);
    const segments = await Promise.all(Array.from({ length: 40 }, (_, i) => log.append(encodeParts(push(i)))));
    expect(new Set(segments)).toEqual(new Set([1]));
    expect(log.records).toBe(40);
    expect(log.syncs).toBeLessThan(40);
    expect(log.syncs).toBeGreaterThanOrEqual(1);
    const { records, through } = readAll(dir, TABLES);
    expect(through).toBe(1);
    expect(records.map((r) => r[1]![1][0]!.message_id)).toEqual(Array.from({ length: 40 }, (_, i) => `m${i}`));
    await log.close();
  });

  it('seal starts a new segment; deleteThrough removes the sealed ones; close removes an empty folder', async () => {
    const dir = freshDir();
    const log = new IngestLog(dir);
    await log.append(encodeParts(push(1)));
    expect(log.seal()).toBe(1);
    expect(await log.append(encodeParts(push(2)))).toBe(2);
    expect(segmentsIn(dir)).toEqual([1, 2]);
    log.deleteThrough(1);
    expect(segmentsIn(dir)).toEqual([2]);
    await log.close();
    expect(readdirSync(dir)).toEqual(['0000000002.log']); // not empty: kept
    const reopened = new IngestLog(dir);
    expect(reopened.currentSegment).toBe(3); // appends continue after what is there
    reopened.deleteThrough(2);
    await reopened.close();
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it('a failed write rejects its callers with PW_ERR_SINK_WRITE (nothing acknowledged)', async () => {
    const dir = freshDir();
    const log = new IngestLog(dir);
    rmSync(dir, { recursive: true });
    writeFileSync(dir, 'a file where the folder was');
    const err = await log.append(encodeParts(push(1))).then(() => null, (e: unknown) => e);
    expect(isPwError(err, 'PW_ERR_SINK_WRITE')).toBe(true);
    rmSync(dir);
  });

  it('a crash mid-write leaves a torn tail that replay skips', async () => {
    const dir = freshDir();
    const log = new IngestLog(dir);
    await log.append(encodeParts(push(1)));
    await log.append(encodeParts(push(2)));
    await log.close();
    const file = join(dir, '0000000001.log');
    truncateSync(file, readFileSync(file).length - 10);
    expect(readAll(dir, TABLES).records.map((r) => r[1]![1][0]!.message_id)).toEqual(['m1']);
  });
});

describe('IngestLog seal under load', () => {
  it('appends interleaved with seals; every record lands in exactly one segment', async () => {
    const dir = freshDir();
    const log = new IngestLog(dir);
    const appends: Array<Promise<number>> = [];
    const seals: number[] = [];
    for (let i = 0; i < 60; i++) {
      appends.push(log.append(encodeParts(push(i))));
      if (i % 7 === 3) seals.push(log.seal());
      if (i % 11 === 5) await new Promise((r) => setImmediate(r));
    }
    const segments = await Promise.all(appends);
    await log.close();
    const { records } = readAll(dir, TABLES);
    expect(records.map((r) => r[1]![1][0]!.message_id).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`).sort());
    expect(new Set(segments).size).toBeGreaterThan(1);
  });
});
