/**
 * @module monitoring/state
 * A model's health state from its rolling edge-3+ hit rate, with consecutive-day counters and
 * transitions in BOTH directions (the original's decay detector only ever blocked and never
 * recovered: incident 10.15).
 *
 * Basis: the 14-day rolling hit rate at |edge| >= 3 (wins / (wins + losses), metrics module),
 * with at least 20 decided bets; fewer is INSUFFICIENT_DATA (at N = 20 the 95 % Wilson interval
 * is still about ±21 points wide; the original's N7 >= 5 made states from noise).
 *
 * Bands, against the breakeven at -110 (52.4 %, metrics.BREAKEVEN_HIT_RATE_PCT):
 *   HEALTHY    >= 58   (breakeven + 5.6 points, the original's WATCH line)
 *   WATCH      55 - 58 (breakeven + 2.6)
 *   DEGRADING  52.4 - 55
 *   BLOCKED    < 52.4  (losing money at -110)
 *
 * Transitions (one step per day; counters count consecutive monitored days):
 *   worse   WATCH after 2 days below 58, DEGRADING after 3 days below 55, BLOCKED after 3 days
 *           below 52.4 (the original: WATCH 2 days, alert 3 days; its immediate BLOCK is
 *           confirmed for 3 days here, since the rolling rate already moves slowly)
 *   better  the best state whose threshold was met on 2 consecutive days: HEALTHY after 2 days
 *           >= 58, WATCH after 2 days >= 55, DEGRADING after 2 days >= 52.4
 *   action  DEGRADED (worse), RECOVERED (better), NO_CHANGE; entering INSUFFICIENT_DATA is
 *           NO_CHANGE (coverage reports starvation). A model coming out of INSUFFICIENT_DATA (or
 *           on its first monitored day) starts in the band its rate is in; if that band is
 *           DEGRADING or BLOCKED the step is DEGRADED, so a champion that first shows a rate in a
 *           losing band alerts (once) instead of sitting there silently.
 */
import { BREAKEVEN_HIT_RATE_PCT } from '../metrics/metrics.js';
import type { ModelState, StateAction } from '../storage/tables/model-performance-daily.js';

export const STATE_RULE = {
  basisWindowDays: 14,
  minDecidedBets: 20,
  healthyAtOrAbovePct: 58,
  watchAtOrAbovePct: 55,
  breakevenPct: BREAKEVEN_HIT_RATE_PCT,
  enterDays: { WATCH: 2, DEGRADING: 3, BLOCKED: 3 },
  recoverDays: 2,
} as const;

const R = STATE_RULE;

/** Worse is larger. INSUFFICIENT_DATA has no rank. */
const RANK: Record<Exclude<ModelState, 'INSUFFICIENT_DATA'>, number> = { HEALTHY: 0, WATCH: 1, DEGRADING: 2, BLOCKED: 3 };

export interface StateCounters {
  days_below_watch: number;
  days_below_degrading: number;
  days_below_breakeven: number;
  days_at_or_above_watch: number;
  days_at_or_above_degrading: number;
  days_at_or_above_breakeven: number;
}

export const ZERO_COUNTERS: StateCounters = {
  days_below_watch: 0,
  days_below_degrading: 0,
  days_below_breakeven: 0,
  days_at_or_above_watch: 0,
  days_at_or_above_degrading: 0,
  days_at_or_above_breakeven: 0,
};

/** The band a hit rate (percent) falls in; INSUFFICIENT_DATA for null or fewer than minDecidedBets. */
export function band(hitRatePct: number | null, nDecided: number): ModelState {
  if (hitRatePct == null || nDecided < R.minDecidedBets) return 'INSUFFICIENT_DATA';
  if (hitRatePct >= R.healthyAtOrAbovePct) return 'HEALTHY';
  if (hitRatePct >= R.watchAtOrAbovePct) return 'WATCH';
  if (hitRatePct >= R.breakevenPct) return 'DEGRADING';
  return 'BLOCKED';
}

/** Today's counters from yesterday's and today's basis; an insufficient day resets them all. */
export function nextCounters(prev: StateCounters | undefined, hitRatePct: number | null, nDecided: number): StateCounters {
  if (band(hitRatePct, nDecided) === 'INSUFFICIENT_DATA') return { ...ZERO_COUNTERS };
  const p = prev ?? ZERO_COUNTERS;
  const hr = hitRatePct as number;
  const step = (cond: boolean, n: number) => (cond ? n + 1 : 0);
  return {
    days_below_watch: step(hr < R.healthyAtOrAbovePct, p.days_below_watch),
    days_below_degrading: step(hr < R.watchAtOrAbovePct, p.days_below_degrading),
    days_below_breakeven: step(hr < R.breakevenPct, p.days_below_breakeven),
    days_at_or_above_watch: step(hr >= R.healthyAtOrAbovePct, p.days_at_or_above_watch),
    days_at_or_above_degrading: step(hr >= R.watchAtOrAbovePct, p.days_at_or_above_degrading),
    days_at_or_above_breakeven: step(hr >= R.breakevenPct, p.days_at_or_above_breakeven),
  };
}

export interface StateStep {
  state: ModelState;
  previous_state: ModelState | null;
  action: StateAction;
  days_in_state: number;
}

/**
 * Today's state from yesterday's (undefined on a model's first monitored day) and today's counters
 * and basis. Pure; see the module header for the rule.
 */
export function nextState(
  prev: { state: ModelState; days_in_state: number } | undefined,
  today: { hitRatePct: number | null; nDecided: number; counters: StateCounters },
): StateStep {
  const raw = band(today.hitRatePct, today.nDecided);
  let state: ModelState;
  if (raw === 'INSUFFICIENT_DATA') state = 'INSUFFICIENT_DATA';
  else if (!prev || prev.state === 'INSUFFICIENT_DATA') state = raw;
  else {
    const c = today.counters;
    const worse: ModelState | null =
      c.days_below_breakeven >= R.enterDays.BLOCKED
        ? 'BLOCKED'
        : c.days_below_degrading >= R.enterDays.DEGRADING
          ? 'DEGRADING'
          : c.days_below_watch >= R.enterDays.WATCH
            ? 'WATCH'
            : null;
    const better: ModelState | null =
      c.days_at_or_above_watch >= R.recoverDays
        ? 'HEALTHY'
        : c.days_at_or_above_degrading >= R.recoverDays
          ? 'WATCH'
          : c.days_at_or_above_breakeven >= R.recoverDays
            ? 'DEGRADING'
            : null;
    const prevRank = RANK[prev.state];
    if (worse && RANK[worse as keyof typeof RANK] > prevRank) state = worse;
    else if (better && RANK[better as keyof typeof RANK] < prevRank) state = better;
    else state = prev.state;
  }
  let action: StateAction = 'NO_CHANGE';
  if (prev && prev.state !== 'INSUFFICIENT_DATA' && state !== 'INSUFFICIENT_DATA' && state !== prev.state) {
    action = RANK[state] > RANK[prev.state] ? 'DEGRADED' : 'RECOVERED';
  } else if ((!prev || prev.state === 'INSUFFICIENT_DATA') && (state === 'DEGRADING' || state === 'BLOCKED')) {
    action = 'DEGRADED';
  }
  return {
    state,
    previous_state: prev?.state ?? null,
    action,
    days_in_state: prev && prev.state === state ? prev.days_in_state + 1 : 1,
  };
}
