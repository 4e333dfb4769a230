import { describe, expect, it } from 'vitest';
import { predictionRequestSchema } from './request.js';

const base = { player_lookup: 'lebronjames', game_date: '2026-02-10', game_id: '20260210_LAL_BOS' };

describe('prediction request: a claimed book line must be present', () => {
  it('refuses has_prop_line true with no line at all (the row would contradict itself)', () => {
    for (const claim of [{ line_values: [] }, { line_values: [null] }, { actual_prop_line: null, line_source: 'ACTUAL_PROP' }, {}]) {
      const parsed = predictionRequestSchema.safeParse({ ...base, has_prop_line: true, ...claim });
      expect(parsed.success, JSON.stringify(claim)).toBe(false);
      expect(parsed.error!.issues[0]!.path).toEqual(['has_prop_line']);
    }
  });

  it('accepts a claimed line given either way, and no claim without a line', () => {
    expect(predictionRequestSchema.safeParse({ ...base, has_prop_line: true, actual_prop_line: 22.5, line_source: 'ACTUAL_PROP' }).success).toBe(true);
    expect(predictionRequestSchema.safeParse({ ...base, has_prop_line: true, line_values: [null, 21.5] }).success).toBe(true);
    expect(predictionRequestSchema.safeParse({ ...base, has_prop_line: false, line_values: [] }).success).toBe(true);
    expect(predictionRequestSchema.safeParse(base).success).toBe(true);
  });
});
