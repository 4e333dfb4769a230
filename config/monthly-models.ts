/**
 * MONTHLY_MODELS: the challenger registry. Key = system_id. Paste the entry printed by
 * `npm run --silent cli -- evaluate …` here; retire with `cli registry retire <id> --reason …`
 * (sets `enabled: false` with the reason). This is the only list of challengers: the worker,
 * GET /models, signals and the lifecycle commands all read it through config/registry.ts.
 * Plain data only (the lifecycle commands edit this file as text).
 *
 * The two entries are the demo challengers shipped in models/ for the embedded default. Their
 * backtest numbers come from `cli evaluate … --force-snippet` on a 14-day synthetic demo season
 * (the synthetic book is sharp, so neither passes the promotion gates: shadow only).
 */
import type { RegistryEntryInput } from './registry.js';

export const MONTHLY_MODELS: Record<string, RegistryEntryInput> = {
  catboost_v9_demo_q43: {
    model_path: 'models/catboost_v9_demo_q43.cbm',
    train_start: '2023-10-24',
    train_end: '2024-03-31',
    eval_start: '2026-11-12',
    eval_end: '2026-11-25',
    backtest_mae: 4.728,
    backtest_hit_rate_all: 50.6,
    backtest_hit_rate_edge_3plus: 48.6,
    backtest_n_edge_3plus: 148,
    enabled: true,
    description: 'DEMO: Quantile alpha=0.43 depth 6, 400 trees (gates failed: UNDER-only, shadow only)',
    sha256: '045aa3fb3238a1a5588eff5fd0599246262d8a17ca644a30e9519ecfd38c9645',
    feature_set: 'v9',
  },
  catboost_v9_demo_deep: {
    model_path: 'models/catboost_v9_demo_deep.cbm',
    train_start: '2023-10-24',
    train_end: '2024-03-31',
    eval_start: '2026-11-12',
    eval_end: '2026-11-25',
    backtest_mae: 4.607,
    backtest_hit_rate_all: 54.4,
    backtest_hit_rate_edge_3plus: 40.0,
    backtest_n_edge_3plus: 30,
    enabled: true,
    description: 'DEMO: RMSE depth 8, 200 trees, later window (gates failed: small edge-3+ sample, shadow only)',
    sha256: 'f050cf771ae3acb0351f18595a7aa732f03e33811108d9d6c641e5b709927a7f',
    feature_set: 'v9',
  },
};
