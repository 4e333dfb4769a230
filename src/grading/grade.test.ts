import { describe, expect, it } from 'vitest';
import { duplicateAccuracyKeys, gradePredictions } from './grade.js';
import { predictionAccuracyTable } from '../storage/tables/prediction-accuracy.js';
import { actualRow, predictionRow } from '../../test/helpers/post-game-rows.js';

const AT = '2026-02-11T11:00:00.000Z';

function gradeOne(pred: Parameters<typeof predictionRow>[0], actual: Parameters<typeof actualRow>[0] | null) {
  const rows = gradePredictions([predictionRow(pred)], actual === null ? [] : [actualRow(actual)], AT);
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

describe('gradePredictions', () => {
  it('OVER wins iff actual > line, with errors and margins', () => {
    const r = gradeOne({ predicted_points: 27.5, line_value: 24.5 }, { points: 30 });
    expect(r.recommendation).toBe('OVER');
    expect(r).toMatchObject({
      outcome: 'WIN',
      prediction_correct: true,
      absolute_error: 2.5,
      signed_error: -2.5,
      within_3_points: true,
      within_5_points: true,
      predicted_margin: 3,
      actual_margin: 5.5,
      edge: 3,
      is_voided: false,
      outcome_reason: null,
    });
    expect(gradeOne({ predicted_points: 27.5, line_value: 24.5 }, { points: 24 }).outcome).toBe('LOSS');
  });

  it('UNDER wins iff actual < line', () => {
    expect(gradeOne({ predicted_points: 20, line_value: 24.5 }, { points: 24 }).outcome).toBe('WIN');
    const loss = gradeOne({ predicted_points: 20, line_value: 24.5 }, { points: 25 });
    expect(loss.outcome).toBe('LOSS');
    expect(loss.prediction_correct).toBe(false);
  });

  it('actual == line is a PUSH, neither win nor loss', () => {
    const r = gradeOne({ predicted_points: 28, line_value: 24 }, { points: 24 });
    expect(r.outcome).toBe('PUSH');
    expect(r.prediction_correct).toBeNull();
    expect(r.actual_margin).toBe(0);
  });

  it('a DNP bet is VOID with a reason and no errors', () => {
    for (const dnp of [
      { minutes_played: 0, points: 0 },
      { minutes_played: null, points: null },
      { minutes_played: null, points: 0 },
    ]) {
      const r = gradeOne({ predicted_points: 27.5, line_value: 24.5 }, dnp);
      expect(r).toMatchObject({ outcome: 'VOID', is_voided: true, void_reason: 'dnp_no_minutes', prediction_correct: null });
      expect(r.absolute_error).toBeNull();
    }
  });

  it('a player who scored with unknown minutes is graded normally', () => {
    expect(gradeOne({ predicted_points: 27.5, line_value: 24.5 }, { points: 30, minutes_played: null }).outcome).toBe('WIN');
  });

  it('PASS and NO_LINE rows are NO_BET but still carry errors', () => {
    const pass = gradeOne({ predicted_points: 25, line_value: 24.5 }, { points: 30 });
    expect(pass.recommendation).toBe('PASS');
    expect(pass).toMatchObject({ outcome: 'NO_BET', outcome_reason: 'recommendation_pass', absolute_error: 5 });
    const noLine = gradeOne({ line_value: null }, { points: 30 });
    expect(noLine).toMatchObject({ outcome: 'NO_BET', outcome_reason: 'no_book_line', line_value: null, edge: null });
  });

  it('an OVER row whose line is not from a book is never a WIN/LOSS', () => {
    const r = gradeOne({ predicted_points: 27.5, line_value: 20, has_prop_line: false, recommendation: 'OVER', edge: 7.5 }, { points: 30 });
    expect(r.outcome).toBe('NO_BET');
    expect(r.outcome_reason).toBe('no_book_line');
    expect(r.line_value).toBeNull();
    expect(r.prediction_correct).toBeNull();
  });

  it('a line of exactly 20.0 from a book is graded like any other (no magic numbers)', () => {
    expect(gradeOne({ predicted_points: 23, line_value: 20 }, { points: 21 }).outcome).toBe('WIN');
  });

  it('missing actuals or unknown points -> UNGRADED with a reason', () => {
    expect(gradeOne({}, null)).toMatchObject({ outcome: 'UNGRADED', outcome_reason: 'no_actuals', actual_points: null });
    expect(gradeOne({}, { points: null, minutes_played: 30 })).toMatchObject({ outcome: 'UNGRADED', outcome_reason: 'points_unknown' });
  });

  it('grades every system alike and returns valid, unique, ordered rows', () => {
    const preds = [
      predictionRow({ system_id: 'catboost_v9_train1102_0215', player_lookup: 'b' }),
      predictionRow({ system_id: 'catboost_v9', player_lookup: 'b' }),
      predictionRow({ system_id: 'catboost_v9', player_lookup: 'a' }),
    ];
    const actuals = [actualRow({ player_lookup: 'a', points: 10 }), actualRow({ player_lookup: 'b', points: 10 })];
    const rows = gradePredictions(preds, actuals, AT);
    expect(rows.map((r) => `${r.system_id}/${r.player_lookup}`)).toEqual([
      'catboost_v9/a',
      'catboost_v9/b',
      'catboost_v9_train1102_0215/b',
    ]);
    for (const r of rows) {
      expect(() => predictionAccuracyTable.rowSchema.parse(r)).not.toThrow();
      expect(r.outcome).toBe('LOSS');
      expect(r.graded_at).toBe(AT);
    }
    expect(rows[2]!.model_role).toBe('challenger');
    expect(duplicateAccuracyKeys(rows)).toEqual([]);
    expect(duplicateAccuracyKeys([rows[0]!, rows[0]!])).toHaveLength(1);
  });

  it('stores edges without floating-point noise', () => {
    const r = gradeOne({ predicted_points: 24.3, line_value: 21.3 }, { points: 25 });
    expect(r.edge).toBe(3);
  });
});
