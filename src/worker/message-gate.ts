/**
 * @module worker/message-gate
 * One push per message id at a time inside one worker process (issue 7, class 4, concurrent
 * case). The conflict check in handle-push reads the stored outcome and writes later; two pushes
 * with the same id arriving together would both pass the read. The gate makes a push whose id is
 * already in flight wait until the earlier one has settled (written, rejected or failed), and only
 * then run its own lookup: the same payload digest is then a plain redelivery, another digest a
 * recorded PW_ERR_MESSAGE_CONFLICT. Different ids never wait for each other.
 *
 * Across instances (Cloud Run runs several) the gate cannot help; there the prediction ids carry
 * the payload digest (predictions/rows.ts), so another payload's rows never overwrite these.
 */

/** Serialises work per key: `run(key, fn)` starts `fn` once every earlier `run` for `key` has settled. */
export interface MessageGate {
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys with work queued or running (tests, diagnostics). */
  inFlight(): number;
}

/** A gate with no limit on keys; an entry lives only while work for its key is queued or running. */
export function messageGate(): MessageGate {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const before = tails.get(key) ?? Promise.resolve();
      // Wait for the earlier push whatever its result; its errors are its caller's.
      const mine = before.then(fn, fn);
      const tail = mine.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return mine;
    },
    inFlight: () => tails.size,
  };
}
