/**
 * @module storage/duckdb/ingest-log
 * The embedded store's durable ingest log: acknowledged writes wait here, fsynced, until they are
 * ingested into DuckDB in large batches (buffered-writes.ts). It exists because a DuckDB
 * transaction costs ~3–4 ms of CPU whatever its size (measured with @duckdb/node-api 1.5: BEGIN
 * 0.2 ms, appender flushes 1.6 ms for two tables, COMMIT 1.6 ms), which a push-per-message worker
 * cannot pay per group of ~10 pushes, while an append and one fdatasync per group costs tens of µs.
 * It is the classic write-ahead pattern (group commit to a log, batched apply), kept deliberately
 * small.
 *
 * Layout: a folder `<database file>.ingest/` of segments `<seq>.log` (seq = 10 digits, increasing).
 * A segment is a sequence of records, each `u32 length | u32 crc32(payload) | u32 crc32(the 8 bytes
 * before) | payload` (little-endian, zlib.crc32): the header has its own checksum, so a corrupt
 * length is told apart from a torn tail; the payload is one write's tables and rows as
 * write-codec.ts encodes them (V8's serializer: exact for every JS value a row holds, unlike JSON).
 * The log takes the payload already encoded: the storage thread serialises the folded write it
 * receives from its client (table-stores.ts `foldedWrite`), an in-process write is encoded by
 * BufferedWrites. Records of the earlier row-wise format still decode (write-codec.ts).
 *
 * Appends share writes: records appended in one turn of the event loop go out together in one
 * write and one fdatasync, and each caller's promise resolves only after the fdatasync that covered
 * its record (group commit, as in databases' own logs). A crash can leave the last records of a segment torn;
 * those were never acknowledged and are ignored on replay. A complete record whose checksum does not
 * match is corruption: replay refuses the folder (PW_ERR_STORAGE_READ) rather than drop data.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { PwError } from '../../errors.js';
import { ALL_TABLES, EMBEDDED_ONLY_TABLES, type AnyTable } from '../tables/index.js';
import { decodeParts, logName, type LoggedParts } from './write-codec.js';
import { message } from './serial-queue.js';

export type { LoggedParts } from './write-codec.js';

/** Every table by the name a record gives it (what replay looks tables up in). */
export const TABLES_BY_LOG_NAME: ReadonlyMap<string, AnyTable> = new Map(
  ([...ALL_TABLES, ...EMBEDDED_ONLY_TABLES] as readonly AnyTable[]).map((t) => [logName(t), t]),
);

const HEADER_BYTES = 12;
const SEGMENT = /^(\d{10})\.log$/;

/** The log folder of a database file. */
export function ingestLogDir(databasePath: string): string {
  return `${databasePath}.ingest`;
}

/** Segment numbers present in `dir`, ascending (none when the folder does not exist). */
export function segmentsIn(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => SEGMENT.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

const segmentPath = (dir: string, seq: number) => join(dir, `${String(seq).padStart(10, '0')}.log`);

/** One record: the header, then `payload` (a write as write-codec.ts `encodeParts` encodes it). */
export function encodeRecord(payload: Uint8Array): Buffer {
  const header = Buffer.allocUnsafe(HEADER_BYTES);
  header.writeUInt32LE(payload.length, 0);
  header.writeUInt32LE(crc32(payload), 4);
  header.writeUInt32LE(crc32(header.subarray(0, 8)), 8);
  return Buffer.concat([header, payload]);
}

/**
 * Decode every complete record of a segment's bytes. A torn tail (a header or payload cut short)
 * ends the segment; a complete record with a wrong checksum throws PW_ERR_STORAGE_READ.
 */
export function decodeRecords(bytes: Buffer, tables: ReadonlyMap<string, AnyTable>, file: string): LoggedParts[] {
  const records: LoggedParts[] = [];
  let at = 0;
  while (at + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    if (length === 0) {
      // No record is empty: a zero-filled tail is space the file system extended but the crash
      // never filled (torn, never acknowledged); zeros followed by anything else are corruption.
      if (bytes.subarray(at).every((b) => b === 0)) break;
      throw new PwError('PW_ERR_STORAGE_READ', undefined, file, `record at byte ${at} has length 0; move the folder aside to start without it`);
    }
    // A torn append is a prefix of what was written, so a complete header is intact: one whose own
    // checksum fails is corruption (a corrupt length must not pass for a torn tail and hide the rest).
    if (crc32(bytes.subarray(at, at + 8)) !== bytes.readUInt32LE(at + 8)) {
      throw new PwError('PW_ERR_STORAGE_READ', undefined, file, `record header at byte ${at} fails its checksum; move the folder aside to start without it`);
    }
    const sum = bytes.readUInt32LE(at + 4);
    const end = at + HEADER_BYTES + length;
    if (end > bytes.length) break; // torn: never acknowledged
    const payload = bytes.subarray(at + HEADER_BYTES, end);
    if (crc32(payload) !== sum) {
      throw new PwError('PW_ERR_STORAGE_READ', undefined, file, `record at byte ${at} fails its checksum; move the folder aside to start without it`);
    }
    let parts: LoggedParts;
    try {
      parts = decodeParts(payload, tables);
    } catch (err) {
      throw new PwError('PW_ERR_STORAGE_READ', { cause: err }, file, `record at byte ${at} cannot be decoded (${message(err)})`);
    }
    records.push(parts);
    at = end;
  }
  return records;
}

interface Waiting {
  record: Buffer;
  onWritten: ((segment: number) => void) | undefined;
  resolve: (segment: number) => void;
  reject: (err: unknown) => void;
}

/**
 * The appending side of one log folder. One writer per folder: the database file's lock (DuckDB
 * allows one read-write process) guards it too.
 *
 * The write and the fdatasync are synchronous calls on the owning thread (~0.4 ms for a group on
 * this machine's disk), made once per turn of its event loop for every append of that turn. The
 * asynchronous fs API would queue them on libuv's shared thread pool behind DuckDB's statements,
 * which measured 5 ms average waits per group (bench:worker) against 0.4 ms for the sync calls.
 */
export class IngestLog {
  private fd: number | null = null;
  /** Bytes of the current segment that hold whole, synced records. */
  private size = 0;
  private seq: number;
  private waiting: Waiting[] = [];
  private scheduled: Promise<void> | null = null;
  private closed = false;
  /** fdatasync calls so far (each covers every record appended in one turn of the event loop). */
  syncs = 0;
  /** Records appended so far. */
  records = 0;

  /** Opens for appending after the segments already present (replay them first: `readAll`). */
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const present = segmentsIn(dir);
    this.seq = (present.at(-1) ?? 0) + 1;
  }

  /** Whether a segment is open for appending (something was written since the last seal). */
  get writing(): boolean {
    return this.fd !== null;
  }

  /** The segment appends currently go to. */
  get currentSegment(): number {
    return this.seq;
  }

  /**
   * Append one write (`payload`: its bytes as write-codec.ts encodes them); resolves with the
   * segment it was written to once it is on disk (fdatasync).
   * `onWritten` runs synchronously right after that fdatasync, before any other code (so a caller
   * can register the record before anyone can seal and delete its segment). Rejects with
   * PW_ERR_SINK_WRITE when the write or the sync fails (nothing of it is acknowledged).
   */
  append(payload: Uint8Array, onWritten?: (segment: number) => void): Promise<number> {
    if (this.closed) return Promise.reject(new PwError('PW_ERR_SINK_WRITE', undefined, this.dir, 'the ingest log is closed'));
    return new Promise<number>((resolve, reject) => {
      this.waiting.push({ record: encodeRecord(payload), onWritten, resolve, reject });
      this.scheduled ??= new Promise<void>((done) =>
        setImmediate(() => {
          this.scheduled = null;
          this.flush();
          done();
        }),
      );
    });
  }

  /** Write and sync every waiting record as one group (synchronous), then settle their callers. */
  private flush(): void {
    const group = this.waiting;
    this.waiting = [];
    if (group.length === 0) return;
    const seq = this.seq;
    try {
      if (this.fd === null) {
        this.fd = openSync(segmentPath(this.dir, seq), 'a');
        syncDir(this.dir); // the new segment's name must survive a crash too
      }
      const bytes = group.length === 1 ? group[0]!.record : Buffer.concat(group.map((w) => w.record));
      for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
      fdatasyncSync(this.fd);
      this.size += bytes.length;
      this.syncs++;
      this.records += group.length;
    } catch (err) {
      const failure = new PwError('PW_ERR_SINK_WRITE', { cause: err }, segmentPath(this.dir, seq), message(err));
      this.discardPartial();
      for (const w of group) w.reject(failure);
      return;
    }
    for (const w of group) {
      w.onWritten?.(seq);
      w.resolve(seq);
    }
  }

  /**
   * After a failed write or sync: cut the segment back to its last whole record, so a part of the
   * refused group can never sit between records acknowledged before and after it (replay would
   * refuse the folder). If even that fails, later records go to a new segment instead (what is
   * left is then a torn tail, which replay skips).
   */
  private discardPartial(): void {
    if (this.fd === null) return;
    try {
      ftruncateSync(this.fd, this.size);
      return;
    } catch {
      // the disk is failing: abandon this segment
    }
    try {
      closeSync(this.fd);
    } catch {
      // already failing
    }
    this.fd = null;
    this.size = 0;
    this.seq += 1;
  }

  /**
   * Close the current segment and start a new one; returns the closed segment's number. Every
   * record in segments ≤ it is on disk and its `onWritten` has run; records waiting for this
   * turn's write go to the next segment.
   */
  seal(): number {
    const sealed = this.seq;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.size = 0;
    this.seq = sealed + 1;
    return sealed;
  }

  /** Settles once the appends made so far are written (callers stop appending first). */
  async idle(): Promise<void> {
    while (this.scheduled) await this.scheduled;
  }

  /** Delete segments up to and including `seq` (their records are in the database). */
  deleteThrough(seq: number): void {
    for (const s of segmentsIn(this.dir)) if (s <= seq) rmSync(segmentPath(this.dir, s), { force: true });
  }

  /** Stop appending; write what waits; close the current segment. Remove the folder when it is empty. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (segmentsIn(this.dir).length === 0) rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Every record of every segment in `dir`, oldest first, with the last segment number read. */
export function readAll(dir: string, tables: ReadonlyMap<string, AnyTable>): { records: LoggedParts[]; through: number } {
  const segments = segmentsIn(dir);
  const records: LoggedParts[] = [];
  for (const seq of segments) {
    const file = segmentPath(dir, seq);
    records.push(...decodeRecords(readFileSync(file), tables, file));
  }
  return { records, through: segments.at(-1) ?? 0 };
}

/** Make a folder's entries durable (after creating or deleting segments). */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
