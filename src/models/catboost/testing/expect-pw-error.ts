/** Test helper: expects `fn` to throw a PwError with `code` whose message contains each of `parts`. */
import { expect } from 'vitest';
import { isPwError, type ErrorCode } from '../../../errors.js';

export function expectPwError(fn: () => unknown, code: ErrorCode, ...parts: string[]): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isPwError(thrown, code), `expected ${code}, got ${String(thrown)}`).toBe(true);
  for (const part of parts) expect((thrown as Error).message).toContain(part);
}
