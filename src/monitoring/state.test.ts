import { describe, expect, it } from 'vitest';
import { band, nextCounters, nextState, STATE_RULE, type StateCounters } from './state.js';
import type { ModelState } from '../storage/tables/model-performance-daily.js';

/** Drive the state machine day by day over basis hit rates (null = insufficient), N = 50 each day. */
function run(rates: Array<number | null>, start?: { state: ModelState; counters?: StateCounters }) {
  let prev: ({ state: ModelState; days_in_state: number } & StateCounters) | undefined = start
    ? { state: start.state, days_in_state: 5, ...(start.counters ?? nextCounters(undefined, null, 0)) }
    : undefined;
  const out: Array<{ state: ModelState; action: string; days_in_state: number }> = [];
  for (const hr of rates) {
    const n = hr == null ? 0 : 50;
    const counters = nextCounters(prev, hr, n);
    const step = nextState(prev, { hitRatePct: hr, nDecided: n, counters });
    out.push({ state: step.state, action: step.action, days_in_state: step.days_in_state });
    prev = { state: step.state, days_in_state: step.days_in_state, ...counters };
  }
  return out;
}

describe('band (thresholds against the 52.4 % breakeven)', () => {
  it('boundaries', () => {
    expect(band(58, 20)).toBe('HEALTHY');
    expect(band(57.99, 20)).toBe('WATCH');
    expect(band(55, 20)).toBe('WATCH');
    expect(band(54.99, 20)).toBe('DEGRADING');
    expect(band(52.4, 20)).toBe('DEGRADING');
    expect(band(52.39, 20)).toBe('BLOCKED');
    expect(band(90, 19)).toBe('INSUFFICIENT_DATA');
    expect(band(null, 100)).toBe('INSUFFICIENT_DATA');
    expect(STATE_RULE.breakevenPct).toBe(52.4);
  });
});

describe('nextState: transitions in both directions', () => {
  it('a new model starts in its band, with no transition', () => {
    expect(run([60])).toEqual([{ state: 'HEALTHY', action: 'NO_CHANGE', days_in_state: 1 }]);
    expect(run([50])[0]!.state).toBe('BLOCKED');
  });

  it('HEALTHY -> WATCH after 2 days below 58 (DEGRADED once), not after 1', () => {
    const s = run([60, 56, 56, 56]);
    expect(s.map((x) => x.state)).toEqual(['HEALTHY', 'HEALTHY', 'WATCH', 'WATCH']);
    expect(s.map((x) => x.action)).toEqual(['NO_CHANGE', 'NO_CHANGE', 'DEGRADED', 'NO_CHANGE']);
    expect(s[3]!.days_in_state).toBe(2);
  });

  it('WATCH -> DEGRADING after 3 days below 55; DEGRADING -> BLOCKED after 3 days below 52.4', () => {
    const s = run([56, 54, 54, 54, 50, 50, 50]);
    expect(s.map((x) => x.state)).toEqual(['WATCH', 'WATCH', 'WATCH', 'DEGRADING', 'DEGRADING', 'DEGRADING', 'BLOCKED']);
    expect(s.filter((x) => x.action === 'DEGRADED')).toHaveLength(2);
  });

  it('a collapse from HEALTHY goes through WATCH to BLOCKED, one transition per step', () => {
    const s = run([60, 45, 45, 45, 45]);
    expect(s.map((x) => x.state)).toEqual(['HEALTHY', 'HEALTHY', 'WATCH', 'BLOCKED', 'BLOCKED']);
    expect(s.map((x) => x.action)).toEqual(['NO_CHANGE', 'NO_CHANGE', 'DEGRADED', 'DEGRADED', 'NO_CHANGE']);
  });

  it('BLOCKED recovers (incident 10.15): 2 days >= 58 -> HEALTHY, RECOVERED once', () => {
    const s = run([58.5, 59], { state: 'BLOCKED' });
    expect(s.map((x) => x.state)).toEqual(['BLOCKED', 'HEALTHY']);
    expect(s.map((x) => x.action)).toEqual(['NO_CHANGE', 'RECOVERED']);
  });

  it('BLOCKED -> DEGRADING after 2 days >= 52.4; WATCH -> HEALTHY after 2 days >= 58', () => {
    expect(run([53, 53], { state: 'BLOCKED' }).map((x) => [x.state, x.action])).toEqual([
      ['BLOCKED', 'NO_CHANGE'],
      ['DEGRADING', 'RECOVERED'],
    ]);
    expect(run([56, 56], { state: 'DEGRADING' }).map((x) => x.state)).toEqual(['DEGRADING', 'WATCH']);
    expect(run([60, 60], { state: 'WATCH' }).map((x) => x.state)).toEqual(['WATCH', 'HEALTHY']);
  });

  it('one good day between bad ones does not recover; one bad day does not degrade', () => {
    expect(run([60, 50, 60, 50], { state: 'BLOCKED' }).every((x) => x.state === 'BLOCKED')).toBe(true);
    expect(run([50, 60, 50, 60], { state: 'HEALTHY' }).every((x) => x.state === 'HEALTHY')).toBe(true);
  });

  it('INSUFFICIENT_DATA: entering it is NO_CHANGE and resets counters; leaving it restarts in the band, DEGRADED only into a losing band', () => {
    const s = run([60, null, 50]);
    expect(s.map((x) => x.state)).toEqual(['HEALTHY', 'INSUFFICIENT_DATA', 'BLOCKED']);
    expect(s.map((x) => x.action)).toEqual(['NO_CHANGE', 'NO_CHANGE', 'DEGRADED']);
    // out of INSUFFICIENT_DATA into a healthy band, or a first day in WATCH: nothing to alert
    expect(run([null, 60]).map((x) => x.action)).toEqual(['NO_CHANGE', 'NO_CHANGE']);
    expect(run([56]).map((x) => x.action)).toEqual(['NO_CHANGE']);
    // a first monitored day already in a losing band alerts once, then stays quiet
    expect(run([53, 53, 53]).map((x) => [x.state, x.action])).toEqual([['DEGRADING', 'DEGRADED'], ['DEGRADING', 'NO_CHANGE'], ['DEGRADING', 'NO_CHANGE']]);
    expect(nextCounters({ ...nextCounters(undefined, 50, 50) }, null, 0)).toEqual(nextCounters(undefined, null, 0));
  });

  it('counters count consecutive days in both directions', () => {
    let c = nextCounters(undefined, 50, 30);
    c = nextCounters(c, 51, 30);
    expect(c).toMatchObject({ days_below_watch: 2, days_below_degrading: 2, days_below_breakeven: 2, days_at_or_above_breakeven: 0 });
    c = nextCounters(c, 56, 30);
    expect(c).toMatchObject({ days_below_watch: 3, days_below_degrading: 0, days_below_breakeven: 0, days_at_or_above_degrading: 1, days_at_or_above_breakeven: 1 });
  });
});
