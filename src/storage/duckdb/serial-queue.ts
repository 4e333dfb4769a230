/**
 * @module storage/duckdb/serial-queue
 * A FIFO of async tasks: one DuckDB connection runs one statement at a time, and a
 * BEGIN…COMMIT must not interleave with another caller's statements.
 */

/** Runs tasks one at a time, in call order; a failed task does not block the next. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Run `task` after every task queued before it; resolves/rejects with the task's result. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Settles once every task queued so far has settled (never rejects). */
  idle(): Promise<unknown> {
    return this.tail;
  }
}

/** The message of an unknown thrown value. */
export const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));
