import { describe, expect, it } from 'vitest';
import { computeCoverage } from './coverage.js';
import { outcomeRow, predictionRows } from '../../test/helpers/monitoring-rows.js';

const D = '2026-02-10';
const CHAMP = 'catboost_v9';

describe('computeCoverage', () => {
  it('catches a starved challenger (< half the champion) and a never-seen one (in the registry, no row, no outcome)', () => {
    const out = computeCoverage({
      gameDate: D,
      championSystemId: CHAMP,
      expectedSystemIds: [CHAMP, 'cb_half', 'cb_starved', 'cb_never'],
      predictions: [...predictionRows(CHAMP, D, 100), ...predictionRows('cb_half', D, 50), ...predictionRows('cb_starved', D, 49)],
      outcomes: [outcomeRow(D, 'm1', [CHAMP, 'cb_half', 'cb_starved'])],
    });
    const byId = Object.fromEntries(out.map((r) => [r.system_id, r]));
    expect(out.map((r) => r.system_id)).toEqual([CHAMP, 'cb_half', 'cb_never', 'cb_starved']);
    expect(byId[CHAMP]).toMatchObject({ status: 'OK', predicted_rows: 100, champion_rows: 100 });
    expect(byId.cb_half).toMatchObject({ status: 'OK', share_of_champion: 0.5 });
    expect(byId.cb_starved).toMatchObject({ status: 'STARVED', predicted_rows: 49, share_of_champion: 0.49 });
    expect(byId.cb_never).toMatchObject({ status: 'MISSING', predicted_rows: 0, expected: true, seen_in_outcomes: false });
  });

  it('a system the worker tried but that always failed is MISSING with its failure count, even if the registry no longer lists it', () => {
    const out = computeCoverage({
      gameDate: D,
      championSystemId: CHAMP,
      expectedSystemIds: [CHAMP],
      predictions: predictionRows(CHAMP, D, 2),
      outcomes: [outcomeRow(D, 'm1', [CHAMP], ['cb_broken']), outcomeRow(D, 'm2', [CHAMP], ['cb_broken'])],
    });
    expect(out.find((r) => r.system_id === 'cb_broken')).toMatchObject({ status: 'MISSING', failed_requests: 2, expected: false, seen_in_outcomes: true });
  });

  it('rows from a system nobody configured are UNEXPECTED (a disabled model still writing)', () => {
    const out = computeCoverage({
      gameDate: D,
      championSystemId: CHAMP,
      expectedSystemIds: [CHAMP],
      predictions: [...predictionRows(CHAMP, D, 10), ...predictionRows('cb_retired', D, 10)],
      outcomes: [],
    });
    expect(out.find((r) => r.system_id === 'cb_retired')!.status).toBe('UNEXPECTED');
  });

  it('a champion with no rows while challengers wrote is MISSING; nothing at all is NO_SLATE', () => {
    const starvedChamp = computeCoverage({
      gameDate: D,
      championSystemId: CHAMP,
      expectedSystemIds: [CHAMP, 'cb_a'],
      predictions: predictionRows('cb_a', D, 10),
      outcomes: [outcomeRow(D, 'm1', ['cb_a'], [CHAMP])],
    });
    expect(starvedChamp[0]).toMatchObject({ system_id: CHAMP, status: 'MISSING' });
    expect(starvedChamp[1]).toMatchObject({ status: 'OK', share_of_champion: null });
    const none = computeCoverage({ gameDate: D, championSystemId: CHAMP, expectedSystemIds: [CHAMP, 'cb_a'], predictions: [], outcomes: [] });
    expect(none.map((r) => r.status)).toEqual(['NO_SLATE', 'NO_SLATE']);
  });

  it('ignores rows and outcomes of other dates', () => {
    const out = computeCoverage({
      gameDate: D,
      championSystemId: CHAMP,
      expectedSystemIds: [CHAMP, 'cb_a'],
      predictions: [...predictionRows(CHAMP, D, 10), ...predictionRows('cb_a', '2026-02-09', 10)],
      outcomes: [outcomeRow(D, 'm1', [CHAMP])],
    });
    expect(out[1]).toMatchObject({ system_id: 'cb_a', status: 'MISSING' });
  });
});
