import { describe, expect, it } from 'vitest';
import { messageGate } from './message-gate.js';

/** A promise with its resolve/reject exposed. */
function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('messageGate', () => {
  it('runs work for one key one at a time, in arrival order, even when the earlier one fails', async () => {
    const gate = messageGate();
    const events: string[] = [];
    const first = deferred();
    const a = gate.run('id-1', async () => {
      events.push('a start');
      await first.promise;
      events.push('a end');
      throw new Error('a failed');
    });
    const b = gate.run('id-1', async () => {
      events.push('b start');
      return 'b';
    });
    await new Promise((r) => setImmediate(r));
    expect(events).toEqual(['a start']);
    expect(gate.inFlight()).toBe(1);
    first.resolve();
    await expect(a).rejects.toThrow('a failed');
    await expect(b).resolves.toBe('b');
    expect(events).toEqual(['a start', 'a end', 'b start']);
    await new Promise((r) => setImmediate(r));
    expect(gate.inFlight()).toBe(0);
  });

  it('never makes different keys wait for each other', async () => {
    const gate = messageGate();
    const held = deferred();
    const slow = gate.run('id-1', () => held.promise.then(() => 'slow'));
    await expect(gate.run('id-2', async () => 'fast')).resolves.toBe('fast');
    held.resolve();
    await expect(slow).resolves.toBe('slow');
  });
});
