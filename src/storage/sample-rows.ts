/**
 * @module storage/sample-rows
 * Valid example rows for every table, for tests (the storage contract, and anyone who needs a
 * row to write). Each builder takes overrides; the defaults pass the table's rowSchema.
 */
import type {
  DailySignalRow,
  ModelPerformanceDailyRow,
  FeatureStoreRow,
  NotificationRow,
  PlayerGameSummaryRow,
  PredictionAccuracyRow,
  PredictionRow,
  RequestOutcomeRow,
  RegistryEventRow,
  ModelRegistryRow,
} from './tables/index.js';

export const SAMPLE_DATE = '2025-11-08';

export function sampleFeatureRow(o: Partial<FeatureStoreRow> = {}): FeatureStoreRow {
  return {
    game_date: SAMPLE_DATE,
    player_lookup: 'lebronjames',
    game_id: '20251108_LAL_GSW',
    feature_names: ['points_avg_last_5', 'vegas_points_line'],
    features: [24.5, 25.5],
    feature_version: 'v2_33features',
    feature_quality_score: 91.5,
    team_abbr: 'LAL',
    opponent_team_abbr: 'GSW',
    created_at: '2025-11-08T10:00:00.000Z',
    ...o,
  };
}

export function samplePredictionRow(o: Partial<PredictionRow> = {}): PredictionRow {
  return {
    prediction_id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    system_id: 'catboost_v9',
    model_role: 'champion',
    player_lookup: 'lebronjames',
    game_id: '20251108_LAL_GSW',
    game_date: SAMPLE_DATE,
    predicted_points: 26.4,
    raw_prediction: 26.43,
    line_value: 25.5,
    line_provenance: 'actual_prop_line',
    has_prop_line: true,
    line_source: 'ACTUAL_PROP',
    line_source_api: 'ODDS_API',
    sportsbook: 'DRAFTKINGS',
    was_line_fallback: false,
    edge: 0.9,
    recommendation: 'PASS',
    confidence_pct: 72.5,
    vegas_source: 'request_line',
    missing_critical_features: [],
    defaulted_features: ['pct_paint'],
    features_snapshot: JSON.stringify({ vegas_points_line: 25.5 }),
    feature_version: 'v2_33features',
    feature_quality_score: 91.5,
    model_path: 'models/catboost_v9.cbm',
    model_sha256: 'a'.repeat(64),
    model_version: 'catboost_v9',
    model_format: 'cbm',
    build_commit: 'dev',
    message_id: 'msg-1',
    request_published_at: '2025-11-08T12:00:00.000Z',
    prediction_run_mode: null,
    created_at: '2025-11-08T12:00:01.000Z',
    ...o,
  };
}

export function sampleOutcomeRow(o: Partial<RequestOutcomeRow> = {}): RequestOutcomeRow {
  return {
    message_id: 'msg-1',
    outcome: 'written',
    reason_code: null,
    reason: null,
    player_lookup: 'lebronjames',
    game_date: SAMPLE_DATE,
    rows_written: 2,
    systems: ['catboost_v9', 'catboost_v9_train1102_0215'],
    failed_systems: [],
    subscription: 'projects/p/subscriptions/s',
    delivery_attempt: 1,
    raw_message: null,
    received_at: '2025-11-08T12:00:00.500Z',
    payload_digest: 'a'.repeat(64),
    raw_message_encoding: null,
    ...o,
  };
}

export function sampleActualRow(o: Partial<PlayerGameSummaryRow> = {}): PlayerGameSummaryRow {
  return {
    player_lookup: 'lebronjames',
    game_id: '20251108_LAL_GSW',
    game_date: SAMPLE_DATE,
    points: 28,
    minutes_played: 35.5,
    team_abbr: 'LAL',
    opponent_team_abbr: 'GSW',
    ...o,
  };
}

export function sampleAccuracyRow(o: Partial<PredictionAccuracyRow> = {}): PredictionAccuracyRow {
  return {
    game_date: SAMPLE_DATE,
    system_id: 'catboost_v9',
    model_role: 'champion',
    player_lookup: 'lebronjames',
    game_id: '20251108_LAL_GSW',
    prediction_id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    model_sha256: 'a'.repeat(64),
    model_version: 'catboost_v9',
    recommendation: 'OVER',
    line_value: 25.5,
    line_source: 'ACTUAL_PROP',
    sportsbook: 'DRAFTKINGS',
    predicted_points: 27.5,
    confidence_pct: 75,
    edge: 2,
    actual_points: 28,
    minutes_played: 35.5,
    absolute_error: 0.5,
    signed_error: -0.5,
    within_3_points: true,
    within_5_points: true,
    predicted_margin: 2,
    actual_margin: 2.5,
    outcome: 'WIN',
    outcome_reason: null,
    prediction_correct: true,
    is_voided: false,
    void_reason: null,
    graded_at: '2025-11-09T08:00:00.000Z',
    ...o,
  };
}

export function sampleSignalRow(o: Partial<DailySignalRow> = {}): DailySignalRow {
  return {
    game_date: SAMPLE_DATE,
    system_id: 'catboost_v9',
    model_role: 'champion',
    total_picks: 40,
    over_count: 18,
    under_count: 15,
    pass_count: 7,
    high_edge_picks: 4,
    edge_3plus_picks: 11,
    pct_over: 45,
    pct_under: 37.5,
    avg_confidence_pct: 71.2,
    avg_abs_edge: 2.1,
    avg_pvl: -0.3,
    slate_games: 8,
    skew_category: 'BALANCED',
    volume_category: 'NORMAL',
    daily_signal: 'GREEN',
    signal_explanation: 'balanced slate with normal volume',
    calculated_at: '2025-11-08T15:00:00.000Z',
    ...o,
  };
}

export function sampleNotificationRow(o: Partial<NotificationRow> = {}): NotificationRow {
  return {
    game_date: SAMPLE_DATE,
    kind: 'picks_slack',
    system_id: 'catboost_v9',
    payload: JSON.stringify({ text: '3 picks' }),
    sent_at: '2025-11-08T16:00:00.000Z',
    ...o,
  };
}

export function samplePerformanceRow(o: Partial<ModelPerformanceDailyRow> = {}): ModelPerformanceDailyRow {
  return {
    game_date: SAMPLE_DATE,
    system_id: 'catboost_v9',
    model_role: 'champion',
    bets: 40,
    wins: 21,
    losses: 18,
    pushes: 1,
    voids: 0,
    hit_rate_pct: (21 / 39) * 100,
    mae_points: 4.5,
    pvl_points: -0.25,
    units_won: 21 * (100 / 110) - 18,
    edge3_wins: 4,
    edge3_losses: 3,
    rolling_7d_wins: 20,
    rolling_7d_n: 35,
    rolling_7d_hit_rate_pct: (20 / 35) * 100,
    rolling_14d_wins: 40,
    rolling_14d_n: 70,
    rolling_14d_hit_rate_pct: (40 / 70) * 100,
    rolling_30d_wins: 80,
    rolling_30d_n: 140,
    rolling_30d_hit_rate_pct: (80 / 140) * 100,
    state: 'WATCH',
    previous_state: 'HEALTHY',
    action: 'DEGRADED',
    days_in_state: 1,
    days_below_watch: 2,
    days_below_degrading: 0,
    days_below_breakeven: 0,
    days_at_or_above_watch: 0,
    days_at_or_above_degrading: 5,
    days_at_or_above_breakeven: 5,
    predicted_rows: 180,
    champion_rows: 180,
    failed_requests: 0,
    coverage_status: 'OK',
    training_end_date: null,
    days_since_training: null,
    calculated_at: '2025-11-09T15:00:00.000Z',
    ...o,
  };
}

export function sampleRegistryEventRow(o: Partial<RegistryEventRow> = {}): RegistryEventRow {
  return {
    event_id: '2025-11-08T12:00:00.000Z-a',
    event_time: '2025-11-08T12:00:00.000Z',
    action: 'promote',
    actor: 'operator@example.com',
    system_id: 'catboost_v9',
    from_path: 'gs://pw-models/v9/old-' + 'a'.repeat(64) + '.cbm',
    from_sha256: 'a'.repeat(64),
    to_path: 'gs://pw-models/v9/new-' + 'b'.repeat(64) + '.cbm',
    to_sha256: 'b'.repeat(64),
    verdict: 'CHALLENGER BETTER',
    metrics: JSON.stringify({ hit_rate_all_pct: 55.1, n_decided: 120 }),
    forced: false,
    reason: null,
    registry_file: 'config/monthly-models.ts',
    ...o,
  };
}

export function sampleModelRegistryRow(o: Partial<ModelRegistryRow> = {}): ModelRegistryRow {
  return {
    system_id: 'catboost_v9',
    role: 'champion',
    enabled: true,
    in_registry: true,
    model_path: 'gs://pw-models/v9/champion.cbm',
    sha256: 'c'.repeat(64),
    feature_set: 'v9',
    train_start: null,
    train_end: null,
    eval_start: null,
    eval_end: null,
    backtest_mae: null,
    backtest_hit_rate_all: null,
    backtest_hit_rate_edge_3plus: null,
    backtest_n_edge_3plus: null,
    description: null,
    source: 'config/monthly-models.ts + config/local.env',
    synced_at: '2025-11-08T12:00:00.000Z',
    ...o,
  };
}
