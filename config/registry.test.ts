import { describe, expect, it } from 'vitest';
import { enabledEntries, parseRegistry } from './registry.js';
import { MONTHLY_MODELS } from './monthly-models.js';

const entry = {
  model_path: 'gs://bucket/catboost/v9/monthly/m.cbm',
  train_start: '2025-11-02',
  train_end: '2026-02-15',
  backtest_mae: 4.5,
  backtest_hit_rate_all: 60,
  backtest_hit_rate_edge_3plus: 70,
  backtest_n_edge_3plus: 100,
  enabled: true,
  description: 'MY_EXPERIMENT',
};

describe('parseRegistry', () => {
  it('accepts the seed shape and defaults feature_set to v9', () => {
    const registry = parseRegistry({ catboost_v9_train1102_0215: entry });
    expect(registry.catboost_v9_train1102_0215?.feature_set).toBe('v9');
  });

  it('names the entry and the field that is wrong', () => {
    expect(() => parseRegistry({ catboost_v9_x: { ...entry, backtest_mae: 'low' } })).toThrow(/catboost_v9_x\.backtest_mae/);
    expect(() => parseRegistry({ catboost_v9_x: { ...entry, enabled: 'True' } })).toThrow(/catboost_v9_x\.enabled/);
    expect(() => parseRegistry({ catboost_v9_x: { ...entry, sha256: 'abc' } })).toThrow(/catboost_v9_x\.sha256/);
    expect(() => parseRegistry({ catboost_v9_x: { ...entry, modle_path: 'x' } })).toThrow(/modle_path/);
  });

  it('refuses a training window that overlaps the evaluation window (incident 10.7)', () => {
    expect(() => parseRegistry({ catboost_v9_x: { ...entry, eval_start: '2026-02-01', eval_end: '2026-02-08' } })).toThrow(
      /overlaps/,
    );
  });

  it('reserves the champion system_id and rejects malformed ids', () => {
    expect(() => parseRegistry({ catboost_v9: entry })).toThrow(/reserved for the champion/);
    expect(() => parseRegistry({ 'CatBoost V9': entry })).toThrow(/system_id must be/);
  });

  it('lists only enabled entries as runnable', () => {
    const registry = parseRegistry({ catboost_v9_a: entry, catboost_v9_b: { ...entry, enabled: false } });
    expect(enabledEntries(registry).map(([id]) => id)).toEqual(['catboost_v9_a']);
  });

  it('the shipped MONTHLY_MODELS registry is valid', () => {
    expect(() => parseRegistry(MONTHLY_MODELS)).not.toThrow();
  });
});
