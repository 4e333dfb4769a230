import { describe, expect, it } from 'vitest';
import { championAlerts, formatPickLine, formatSlackMessage, pickScore, selectPicks } from './picks.js';
import { predictionRow } from '../../test/helpers/post-game-rows.js';
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';

const CHAMP = 'catboost_v9';

describe('selectPicks', () => {
  it('never returns a challenger row, even when challengers have bigger edges', () => {
    const rows = [
      predictionRow({ system_id: 'catboost_v9_train1102_0215', player_lookup: 'big1', predicted_points: 40, line_value: 20 }),
      predictionRow({ system_id: 'catboost_v9_train1102_0215', player_lookup: 'big2', predicted_points: 5, line_value: 20 }),
      // a row carrying the champion's system_id but a challenger role (defence in depth)
      predictionRow({ system_id: CHAMP, model_role: 'challenger', player_lookup: 'mislabelled', predicted_points: 35, line_value: 20 }),
      predictionRow({ system_id: CHAMP, player_lookup: 'small', predicted_points: 24, line_value: 20.5 }),
    ];
    const picks = selectPicks(rows, { primarySystemId: CHAMP });
    expect(picks.map((p) => p.player_lookup)).toEqual(['small']);
    expect(picks.every((p) => p.system_id === CHAMP)).toBe(true);
  });

  it('keeps OVER/UNDER with a real line and |edge| >= minEdge (3 included), ranks by |edge|·10 + conf·0.5', () => {
    const rows = [
      predictionRow({ player_lookup: 'edge3', predicted_points: 23.5, line_value: 20.5, confidence_pct: 80 }), // 30 + 40 = 70
      predictionRow({ player_lookup: 'under4', predicted_points: 16.5, line_value: 20.5, confidence_pct: 79 }), // 40 + 39.5 = 79.5
      predictionRow({ player_lookup: 'edge2.9', predicted_points: 23.4, line_value: 20.5, confidence_pct: 95 }),
      predictionRow({ player_lookup: 'pass', predicted_points: 20.9, line_value: 20.5 }),
      predictionRow({ player_lookup: 'noline', line_value: null }),
      predictionRow({ player_lookup: 'notbook', predicted_points: 30, line_value: 20, has_prop_line: false, recommendation: 'OVER', edge: 10 }),
    ];
    const picks = selectPicks(rows, { primarySystemId: CHAMP });
    expect(picks.map((p) => [p.rank, p.player_lookup, p.recommendation])).toEqual([
      [1, 'under4', 'UNDER'],
      [2, 'edge3', 'OVER'],
    ]);
    expect(picks[0]!.score).toBeCloseTo(pickScore(-4, 79), 10);
    expect(picks[0]!.edge).toBeCloseTo(-4, 10);
  });

  it('breaks ties by player_lookup and honours topN', () => {
    const rows = ['zed', 'amy', 'max'].map((p) => predictionRow({ player_lookup: p, predicted_points: 25, line_value: 20 }));
    expect(selectPicks(rows, { primarySystemId: CHAMP }).map((p) => p.player_lookup)).toEqual(['amy', 'max', 'zed']);
    expect(selectPicks([...rows].reverse(), { primarySystemId: CHAMP, topN: 2 }).map((p) => p.player_lookup)).toEqual(['amy', 'max']);
  });
});

function champSlate(overs: number, unders: number, overEdge = 2, underEdge = -2): PredictionRow[] {
  const rows: PredictionRow[] = [];
  for (let i = 0; i < overs; i++) rows.push(predictionRow({ player_lookup: `o${i}`, predicted_points: 20 + overEdge, line_value: 20 }));
  for (let i = 0; i < unders; i++) rows.push(predictionRow({ player_lookup: `u${i}`, predicted_points: 20 + underEdge, line_value: 20 }));
  return rows;
}

describe('championAlerts', () => {
  it('balanced slate with small PVL: no alert', () => {
    expect(championAlerts(champSlate(5, 5))).toEqual([]);
  });

  it('|PVL| > 2 alerts; exactly 2 does not', () => {
    expect(championAlerts(champSlate(5, 5, 2.5, -1.5)).map((a) => a.kind)).toEqual([]); // PVL 0.5
    expect(championAlerts(champSlate(5, 5, 3, -7)).map((a) => a.kind)).toEqual([]); // PVL -2
    const a = championAlerts(champSlate(5, 5, 3, -7.2));
    expect(a.map((x) => x.kind)).toEqual(['pvl_bias']);
    expect(a[0]!.message).toMatch(/PVL -2\.10/);
  });

  it('OVER% or UNDER% of the bets below 15 with >= 10 bets alerts; 9 rows never alert', () => {
    const skewed = championAlerts(champSlate(1, 9)); // 10 % OVER, PVL -1.6
    expect(skewed.map((x) => x.kind)).toEqual(['recommendation_skew']);
    expect(skewed[0]!.message).toContain('10.0% OVER');
    expect(championAlerts(champSlate(0, 9, 2, -5))).toEqual([]);
    expect(championAlerts(champSlate(3, 17))).toEqual([]); // exactly 15 % OVER
  });

  it('PASS rows are not a direction: a balanced slate that passes on most rows does not alert', () => {
    const pass = Array.from({ length: 60 }, (_, i) => predictionRow({ player_lookup: `p${i}`, predicted_points: 20.5, line_value: 20 }));
    expect(championAlerts([...champSlate(6, 6), ...pass])).toEqual([]); // 6 of 72 rows OVER = 8 % of rows, 50 % of bets
    // fewer than 10 bets: no skew alert however lopsided
    expect(championAlerts([...champSlate(0, 9), ...pass]).map((a) => a.kind)).toEqual([]);
  });

  it('ignores challenger rows', () => {
    const rows = champSlate(0, 12).map((r) => ({ ...r, system_id: 'catboost_v9_x', model_role: 'challenger' as const }));
    expect(championAlerts(rows)).toEqual([]);
  });
});

describe('formatSlackMessage', () => {
  it('carries date, signal, pick lines and alerts', () => {
    const picks = selectPicks([predictionRow({ player_lookup: 'lebronjames', predicted_points: 27.7, line_value: 24.5, confidence_pct: 85 })], {
      primarySystemId: CHAMP,
    });
    expect(formatPickLine(picks[0]!)).toBe('1. lebronjames — OVER 24.5 pts / edge +3.2 | conf 85');
    const msg = formatSlackMessage({
      gameDate: '2026-02-10',
      systemId: CHAMP,
      signal: {
        game_date: '2026-02-10',
        system_id: CHAMP,
        model_role: 'champion',
        total_picks: 40,
        over_count: 12,
        under_count: 26,
        pass_count: 2,
        high_edge_picks: 5,
        edge_3plus_picks: 15,
        pct_over: 30,
        pct_under: 65,
        avg_confidence_pct: 86,
        avg_abs_edge: 2.1,
        avg_pvl: -0.4,
        slate_games: 9,
        skew_category: 'BALANCED',
        volume_category: 'NORMAL',
        daily_signal: 'GREEN',
        signal_explanation: 'GREEN: fine',
        calculated_at: '2026-02-10T20:00:00.000Z',
      },
      picks,
      alerts: [{ kind: 'pvl_bias', message: 'PVL -2.5 pts' }],
    });
    expect(msg.text).toContain('2026-02-10');
    expect(msg.text).toContain('GREEN');
    expect(msg.text).toContain('1. lebronjames — OVER 24.5 pts / edge +3.2 | conf 85');
    expect(msg.text).toContain('ALERT: PVL -2.5 pts');
    const json = JSON.stringify(msg.blocks);
    expect(json).toContain('lebronjames');
    expect(json).toContain('Alerts');
    expect(msg.blocks[0]).toMatchObject({ type: 'header' });
  });

  it('says so when there are no picks and no signal', () => {
    const msg = formatSlackMessage({ gameDate: '2026-02-10', systemId: CHAMP, signal: undefined, picks: [], alerts: [] });
    expect(msg.text).toContain('No picks');
    expect(msg.text).toContain('no signal');
  });
});
