/**
 * @module storage/duckdb/storage-thread
 * The embedded Storage run on its own thread (issue 10): `openDuckDbStorageThread(options)` starts
 * a Node worker thread (storage-thread-host.ts) that opens the DuckDB file with
 * `openDuckDbStorage` and owns it; this side is a Storage whose every method posts the call there
 * and resolves with the answer (outcome lookups of ids the thread's shared known-id filter has
 * never seen are answered here, without a message). The serving worker uses it so that DuckDB's synchronous work
 * (appending data chunks, flushing appenders, converting query results: ~470 µs of the event
 * loop per six-model push when inline) runs on the second core while the event loop parses,
 * predicts and answers the next requests. Semantics are unchanged: a write's promise resolves only
 * once the thread's group commit has committed it, so an acknowledgement still means committed.
 *
 * One thread owns the file because DuckDB allows one open instance per file and process (the
 * Node binding's instance cache is per thread). Arguments and results cross by structured clone
 * (rows are plain data); a push's write crosses folded (write-codec.ts: the values its rows
 * share, once). A PwError thrown on the thread is rethrown here with the same code and message;
 * any other error as an Error with its message. If the thread dies (its heap limit, a
 * crash), every pending and later call rejects with PW_ERR_SINK_WRITE (retryable), and `onLost`
 * is called once: nothing can be stored by this process any more, so the serving worker exits
 * (server.ts) and the platform starts a new instance, whose open replays the ingest log.
 *
 * @example
 *   const storage = await openDuckDbStorageThread({ path: 'data/prediction-worker.duckdb' });
 *   await storage.predictions.write(rows, outcome); // committed on the storage thread
 *   await storage.close();                          // flushes, closes the file, ends the thread
 */
import { Worker } from 'node:worker_threads';
import { ERROR_CODES, PwError, type ErrorCode } from '../../errors.js';
import type { Storage } from '../storage.js';
import type { DuckDbStorageOptions } from './duckdb-storage.js';
import { outcomeWriteParts, predictionWriteParts } from './buffered-writes.js';
import { KnownMessageIds, type SharedKnownIds } from './known-message-ids.js';
import { foldParts, unfoldableWrite, type FoldedWrite, type LoggedParts } from './write-codec.js';

/**
 * The storage thread's young generation (V8 sizes it from the machine's memory: 128 MB of new space
 * on a 24 GB machine, most of it resident after a burst). 24 MB measured the same throughput in
 * bench:worker with the worker's RSS ~250 MB lower together with the event loop's
 * `--max-semi-space-size=8` (Dockerfile, npm start).
 */
export const STORAGE_THREAD_YOUNG_GENERATION_MB = 24;

/**
 * The storage thread's old-generation limit, the same as the event loop's `--max-old-space-size=512`
 * (Dockerfile, npm start). V8 keeps the pages of a heap's highest size resident after collecting
 * it (Node 24), so a heap's peak is RSS for the rest of the process; and V8 lets a heap grow up to
 * ~4× its live size between full collections when its limit is large (several GB from this
 * machine's memory), but only ~1.3–1.4× under a limit this small (v8/src/heap/heap-controller.cc,
 * MaxGrowingFactor). bench:worker, six models: peak RSS 507–639 → 462–482 MB under 256 MB (3 runs
 * each), at the same throughput; 512 measured in bench/README.md ("Memory"). 512 rather than 256:
 * the live heap is ~20–70 MB while serving pushes, but /jobs/monitor holds 30 days of accuracy rows
 * (~1 KB each per isolate), and under 256 MB it killed the thread at ~216,000 rows (16 systems ×
 * 450 players × 30 days, a review's measurement). If the limit is ever reached the thread dies and
 * the worker exits (onLost, server.ts): the next instance replays the log.
 */
export const STORAGE_THREAD_OLD_GENERATION_MB = 512;

/** The table-family members of Storage (everything with methods). */
type Family = Exclude<keyof Storage, 'kind' | 'location' | 'ping' | 'close' | 'checkWrite'>;

/** Every method of every family: the calls that cross to the thread. */
export const STORAGE_METHODS = {
  features: ['loadSlate', 'upsert'],
  predictions: ['write', 'currentPredictions', 'allPredictions'],
  outcomes: ['record', 'findMany', 'forDate', 'rejected'],
  actuals: ['forDate', 'upsert'],
  accuracy: ['replaceDate', 'forRange'],
  signals: ['replaceDate', 'forDate'],
  notifications: ['find', 'record'],
  performance: ['replaceDate', 'forRange'],
  registryEvents: ['append', 'list'],
  registry: ['upsert', 'all'],
} as const satisfies { readonly [F in Family]: ReadonlyArray<keyof Storage[F]> };

/** Compile-time proof that STORAGE_METHODS lists every method (a new one must be added there). */
type Unlisted = { [F in Family]: Exclude<keyof Storage[F], (typeof STORAGE_METHODS)[F][number]> }[Family];
const everyMethodListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyMethodListed;

/** A call to the thread (posted in arrays, see perTurn): a family method, or one of the top-level operations. */
export type ThreadCall =
  | { id: number; family: Family; method: string; args: unknown[] }
  | { id: number; op: 'ping' | 'checkWrite' | 'close' }
  /** A write of logged tables, folded on this side (write-codec.ts `foldParts`). */
  | { id: number; op: 'writeFolded'; write: FoldedWrite };

/** An error as it crosses the thread boundary. */
export interface WireError {
  message: string;
  code?: string;
  stack?: string;
}

/** The thread's answers (posted in arrays, see perTurn): the open result (id 0), then one per call. */
export type ThreadReply =
  | { id: number; ok: true; value: unknown; kind?: Storage['kind']; location?: string }
  | { id: number; ok: false; error: WireError };

/**
 * Messages between the threads go in one array per turn of the sender's event loop: every call
 * (or answer) made in that turn, one `postMessage` and one wake-up of the other thread instead of
 * one per call (measured: ~65 µs less event-loop CPU per six-model push, bench/push-path.ts).
 * `flush` sends what waits now.
 */
export function perTurn<T>(post: (batch: T[]) => void): { add: (item: T) => void; flush: () => void } {
  let waiting: T[] = [];
  const flush = () => {
    if (waiting.length === 0) return;
    const batch = waiting;
    waiting = [];
    post(batch);
  };
  return {
    add: (item) => {
      waiting.push(item);
      if (waiting.length === 1) setImmediate(flush);
    },
    flush,
  };
}

/** An error → its wire form (PwError keeps its code). */
export function toWireError(err: unknown): WireError {
  if (err instanceof PwError) return { message: err.message, code: err.code, stack: err.stack };
  if (err instanceof Error) return { message: err.message, stack: err.stack };
  return { message: String(err) };
}

/** The wire form → an error of this thread: a PwError with the same code and message when it was one. */
export function fromWireError(wire: WireError): Error {
  if (wire.code !== undefined && Object.hasOwn(ERROR_CODES, wire.code)) {
    const err = new PwError(wire.code as ErrorCode, undefined);
    err.message = wire.message;
    if (wire.stack) err.stack = wire.stack;
    return err;
  }
  const err = new Error(wire.message);
  if (wire.stack) err.stack = wire.stack;
  return err;
}

/**
 * The host module next to this one: the compiled `.js` in dist/, or the `.ts` source under tsx or
 * vitest (then the thread is started with tsx's loader, which resolves the `.js` imports to `.ts`).
 */
function hostEntry(): { url: URL; execArgv: string[] } {
  const source = import.meta.url.endsWith('.ts');
  const url = new URL(source ? './storage-thread-host.ts' : './storage-thread-host.js', import.meta.url);
  const execArgv = loaderFlags(process.execArgv);
  if (source && !execArgv.some((a, i) => a === 'tsx' && execArgv[i - 1] === '--import')) execArgv.push('--import', 'tsx');
  return { url, execArgv };
}

/** Flags a thread needs to load the same modules: --import/--require/--loader/--conditions and
 * their values (a thread refuses per-process V8 flags such as --max-semi-space-size). */
export function loaderFlags(argv: readonly string[]): string[] {
  const kept: string[] = [];
  const takesValue = ['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C'];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (takesValue.includes(a) && i + 1 < argv.length) kept.push(a, argv[++i]!);
    else if (takesValue.some((f) => f.startsWith('--') && a.startsWith(`${f}=`))) kept.push(a);
  }
  return kept;
}

/** What the opener of a storage thread can ask for besides the database options. */
export interface StorageThreadHooks {
  /**
   * Called once, with the PW_ERR_SINK_WRITE every call now rejects with, when the thread ends
   * without having been closed (an error or its heap limit). Not called after `close()`.
   */
  onLost?: ((err: PwError) => void) | undefined;
  /** The thread's V8 heap limits (tests lower them); default: STORAGE_THREAD_YOUNG_GENERATION_MB and STORAGE_THREAD_OLD_GENERATION_MB. */
  resourceLimits?: { maxYoungGenerationSizeMb?: number; maxOldGenerationSizeMb?: number } | undefined;
}

/**
 * Open the embedded database on a storage thread. Resolves once the thread has opened (and
 * migrated) the file; rejects with the same PwError `openDuckDbStorage` would throw
 * (PW_ERR_DB_LOCKED, PW_ERR_STORAGE_READ, PW_ERR_CONFIG), after the thread has ended.
 */
export async function openDuckDbStorageThread(options: DuckDbStorageOptions, hooks: StorageThreadHooks = {}): Promise<Storage> {
  const { url, execArgv } = hostEntry();
  const worker = new Worker(url, {
    workerData: options,
    execArgv,
    name: 'duckdb-storage',
    resourceLimits: hooks.resourceLimits ?? {
      maxYoungGenerationSizeMb: STORAGE_THREAD_YOUNG_GENERATION_MB,
      maxOldGenerationSizeMb: STORAGE_THREAD_OLD_GENERATION_MB,
    },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let dead: PwError | null = null;
  let isOpen = false; // set once the thread has opened the file: an exit after that is a loss
  let closing: Promise<void> | null = null;

  const opened = new Promise<{ kind: Storage['kind']; location: string; known: SharedKnownIds | null }>((resolve, reject) => {
    pending.set(0, { resolve: resolve as (v: unknown) => void, reject });
  });
  worker.on('message', (replies: ThreadReply[]) => {
    for (const reply of replies) {
      const waiter = pending.get(reply.id);
      if (!waiter) continue;
      pending.delete(reply.id);
      if (reply.ok) waiter.resolve(reply.id === 0 ? { kind: reply.kind, location: reply.location, known: reply.value } : reply.value);
      else waiter.reject(fromWireError(reply.error));
    }
  });
  const send = perTurn<ThreadCall>((calls) => worker.postMessage(calls));
  const fail = (why: string) => {
    const lost = dead === null && isOpen && closing === null;
    dead ??= new PwError('PW_ERR_SINK_WRITE', undefined, options.path, `the storage thread ${why}`);
    for (const waiter of pending.values()) waiter.reject(dead);
    pending.clear();
    if (lost) hooks.onLost?.(dead);
  };
  worker.on('error', (err) => fail(`failed: ${err.message}`));
  worker.on('exit', (code) => fail(`exited (code ${code})`));

  const call = (message: Omit<ThreadCall, 'id'>): Promise<unknown> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      send.add({ ...message, id } as ThreadCall);
    });
  };

  let info: { kind: Storage['kind']; location: string; known: SharedKnownIds | null };
  try {
    info = await opened;
    isOpen = true;
  } catch (err) {
    await worker.terminate();
    throw err;
  }

  const families = Object.fromEntries(
    Object.entries(STORAGE_METHODS).map(([family, methods]) => [
      family,
      Object.fromEntries(methods.map((method) => [method, (...args: unknown[]) => call({ family: family as Family, method, args })])),
    ]),
  ) as unknown as Pick<Storage, Family>;

  // The writes of every push (the logged tables) cross folded: a push's six rows share one copy
  // of their common values (~3 KB instead of ~15 KB), so cloning them costs less here, and the
  // thread serialises that for its ingest log instead of the six rows (bench/README.md).
  // A write that cannot be folded (not rows) rejects, as the same write does in-process: nothing is sent.
  const writeFolded = (parts: LoggedParts): Promise<void> => {
    let write: FoldedWrite;
    try {
      write = foldParts(parts);
    } catch (err) {
      return Promise.reject(unfoldableWrite(err));
    }
    return call({ op: 'writeFolded', write }) as Promise<void>;
  };
  families.predictions.write = (rows, outcome) => writeFolded(predictionWriteParts(rows, outcome));
  families.outcomes.record = (outcome) => writeFolded(outcomeWriteParts(outcome));

  // The outcome lookup of every push: ids the thread's known-id filter (shared memory) has never
  // seen have no outcome, so only the others cross to the thread (usually none).
  const known = info.known ? KnownMessageIds.view(info.known) : null;
  if (known) {
    const findMany = families.outcomes.findMany;
    families.outcomes.findMany = async (messageIds) => {
      if (dead) throw dead;
      const maybe = messageIds.filter((id) => known.mightExist(id));
      return maybe.length === 0 ? [] : findMany(maybe);
    };
  }

  return {
    kind: info.kind,
    location: info.location,
    ...families,
    ping: () => call({ op: 'ping' }) as Promise<void>,
    checkWrite: () => call({ op: 'checkWrite' }) as Promise<void>,
    close: () =>
      (closing ??= (async () => {
        try {
          if (!dead) await call({ op: 'close' });
        } finally {
          dead ??= new PwError('PW_ERR_SINK_WRITE', undefined, options.path, 'storage is closed');
          await worker.terminate();
        }
      })()),
  };
}
