import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, PwError, describeError, isPwError } from '../src/errors.js';

describe('error table', () => {
  it('every code is documented in docs/errors.md, and the page lists no code that no longer exists', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^## (PW_ERR_[A-Z0-9_]+)$/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(ERROR_CODES).sort());
  });

  it('each documented code states the same retryability as the table', () => {
    const doc = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');
    for (const [code, def] of Object.entries(ERROR_CODES)) {
      const section = doc.split(`## ${code}\n`)[1]?.split('\n## ')[0] ?? '';
      expect(section.startsWith(def.retryable ? 'Retryable' : 'Permanent'), code).toBe(true);
    }
  });

  it('formats the message, keeps the cause and carries retryability', () => {
    const cause = new Error('socket hang up');
    const err = new PwError('PW_ERR_SINK_WRITE', { cause }, 'player_prop_predictions', 'timeout');
    expect(err.message).toBe('Cannot write player_prop_predictions: timeout');
    expect(err.retryable).toBe(true);
    expect(err.cause).toBe(cause);
    expect(isPwError(err, 'PW_ERR_SINK_WRITE')).toBe(true);
    expect(describeError(err)).toBe('Cannot write player_prop_predictions: timeout: socket hang up');
  });
});
