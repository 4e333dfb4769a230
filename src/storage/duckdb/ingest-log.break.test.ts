// (The part-way failed write: ingest-log.partial-write.break.test.ts.)
// Breaker tests (issue 10 review): ways a segment on disk can look after a fault, and what replay
// must do with them. Each asserts the documented contract of ingest-log.ts: a torn tail (never
// acknowledged) is ignored and the acknowledged records before it kept; anything else that does not
// decode is refused with PW_ERR_STORAGE_READ naming the file, never silently dropped.
import { describe, expect, it } from 'vitest';
import { isPwError } from '../../errors.js';
import { samplePredictionRow, sampleOutcomeRow } from '../sample-rows.js';
import { playerPropPredictionsTable, requestOutcomesTable } from '../tables/index.js';
import { decodeRecords, encodeRecord, type LoggedParts } from './ingest-log.js';
import { encodeParts } from './write-codec.js';
import { TABLES_BY_LOG_NAME } from './ingest-log.js';

const TABLES = TABLES_BY_LOG_NAME;
const push = (i: number): LoggedParts => [
  [playerPropPredictionsTable, [samplePredictionRow({ prediction_id: String(i).padStart(32, '0'), message_id: `m${i}` })]],
  [requestOutcomesTable, [sampleOutcomeRow({ message_id: `m${i}` })]],
];
const ids = (records: LoggedParts[]) => records.map((r) => r[1]![1][0]!.message_id);

function decodeOutcome(bytes: Buffer): { records?: LoggedParts[]; err?: unknown } {
  try {
    return { records: decodeRecords(bytes, TABLES, '/data/x.duckdb.ingest/0000000001.log') };
  } catch (err) {
    return { err };
  }
}

describe('ingest log replay under faults (breaker)', () => {
  it('a corrupt LENGTH field in a middle record is refused, not read as a torn tail that drops the acknowledged records after it', () => {
    const a = encodeRecord(encodeParts(push(1)));
    const b = encodeRecord(encodeParts(push(2)));
    const c = encodeRecord(encodeParts(push(3)));
    const bytes = Buffer.concat([a, b, c]);
    bytes[a.length + 2]! ^= 0x01; // bit flip in record 2's length (its third byte): now points past the end
    const got = decodeOutcome(bytes);
    // Before the header checksum: [m1] came back, m2 and m3 (both acknowledged) were silently gone.
    expect(got.records ? ids(got.records) : undefined).toBeUndefined();
    expect(isPwError(got.err, 'PW_ERR_STORAGE_READ')).toBe(true);
  });

  it('a tail of zero bytes (file size extended, data never written: a torn, unacknowledged append) keeps the records before it', () => {
    const a = encodeRecord(encodeParts(push(1)));
    const got = decodeOutcome(Buffer.concat([a, Buffer.alloc(64)]));
    // Before the fix: length 0 + crc32('') = 0 passed the checksum and v8.deserialize(empty) threw a plain Error.
    expect(got.err).toBeUndefined();
    expect(ids(got.records!)).toEqual(['m1']);
  });
});
