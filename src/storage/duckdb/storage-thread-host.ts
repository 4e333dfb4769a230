/**
 * @module storage/duckdb/storage-thread-host
 * The storage thread's entry (started by storage-thread.ts): opens the embedded database with
 * `openDuckDbStorage(workerData)`, answers the open with id 0 (with the shared known-message-id
 * filter, when the file has one), then runs each posted call on it and
 * posts the result or the error back. Calls run concurrently, exactly as they would in one thread
 * (the storage's own queues order them); `close` closes the database and lets the thread end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDuckDbStorage, sharedKnownIds, type DuckDbStorageOptions, type EmbeddedStorage } from './duckdb-storage.js';
import { perTurn, toWireError, type ThreadCall, type ThreadReply } from './storage-thread.js';

const port = parentPort!;
const replies = perTurn<ThreadReply>((batch) => port.postMessage(batch));
const post = (reply: ThreadReply) => replies.add(reply);

let storage: EmbeddedStorage;
try {
  storage = await openDuckDbStorage(workerData as DuckDbStorageOptions);
  post({ id: 0, ok: true, value: sharedKnownIds(storage) ?? null, kind: storage.kind, location: storage.location });
} catch (err) {
  post({ id: 0, ok: false, error: toWireError(err) });
  replies.flush();
  port.close();
  process.exit(0);
}

/** Run one call on the storage (a family method or a top-level operation). */
function run(call: ThreadCall): Promise<unknown> {
  if ('op' in call) return call.op === 'writeFolded' ? storage.writeFolded(call.write) : storage[call.op]();
  const family = storage[call.family] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return family[call.method]!(...call.args);
}

port.on('message', (calls: ThreadCall[]) => {
  for (const call of calls) {
    run(call).then(
      (value) => {
        post({ id: call.id, ok: true, value });
        if ('op' in call && call.op === 'close') {
          replies.flush();
          port.close();
        }
      },
      (err: unknown) => post({ id: call.id, ok: false, error: toWireError(err) }),
    );
  }
});
