import { describe, expect, it } from 'vitest';
import { fullSuite, skipWithout } from './machine.js';

describe('machine-dependent test switch (PW_FULL_SUITE)', () => {
  it('is on only for PW_FULL_SUITE=1, never for CI=true', () => {
    expect(fullSuite({ PW_FULL_SUITE: '1' })).toBe(true);
    expect(fullSuite({ CI: 'true' })).toBe(false);
    expect(fullSuite({})).toBe(false);
  });

  it('skips with one stderr line naming what is missing when the switch is unset', () => {
    const lines: string[] = [];
    expect(skipWithout('chromium', false, 'apt-get install chromium', { CI: 'true' }, (l) => lines.push(l))).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^SKIPPED \(machine\): missing chromium \(apt-get install chromium\)/);
  });

  it('fails loudly, naming it, when the switch is set', () => {
    const lines: string[] = [];
    expect(() => skipWithout('the CatBoost venv', false, 'see .ci/run', { PW_FULL_SUITE: '1' }, (l) => lines.push(l))).toThrow(/PW_FULL_SUITE=1 but missing: the CatBoost venv/);
    expect(lines).toEqual([]);
  });

  it('runs (no skip, no line) when present, whatever the switch', () => {
    const lines: string[] = [];
    for (const env of [{}, { PW_FULL_SUITE: '1' }]) expect(skipWithout('x', true, 'h', env, (l) => lines.push(l))).toBe(false);
    expect(lines).toEqual([]);
  });
});
