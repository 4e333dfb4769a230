/**
 * @module picks/picks
 * User-facing picks and bias alerts. Champion only, twice over: a row must carry the primary
 * system_id AND model_role 'champion' (incident 10.2: a retrain that reached users directly lost
 * money; a challenger becomes user-facing only by being promoted). Pure: rows in, picks out.
 */
import type { PredictionRow } from '../storage/tables/player-prop-predictions.js';
import type { DailySignalRow } from '../storage/tables/daily-prediction-signals.js';
import { absEdgeAtLeast, computeSlateMetrics, edgeOf, fmt, isRealBookLine } from '../metrics/metrics.js';

export interface Pick {
  rank: number;
  player_lookup: string;
  game_id: string;
  recommendation: 'OVER' | 'UNDER';
  line_value: number;
  predicted_points: number;
  /** predicted - line (signed). */
  edge: number;
  confidence_pct: number;
  /** |edge|·10 + confidence_pct·0.5 */
  score: number;
  prediction_id: string;
  system_id: string;
  model_version: string;
}

export interface SelectPicksOptions {
  primarySystemId: string;
  /** Default 5. */
  topN?: number;
  /** Minimum |edge|, default 3. */
  minEdge?: number;
}

/** Rows that may ever reach users: the primary system's champion rows. */
export function championRows(rows: readonly PredictionRow[], primarySystemId: string): PredictionRow[] {
  return rows.filter((r) => r.system_id === primarySystemId && r.model_role === 'champion');
}

export function pickScore(edge: number, confidencePct: number): number {
  return Math.abs(edge) * 10 + confidencePct * 0.5;
}

/**
 * Top picks: champion OVER/UNDER rows with a real book line and |edge| >= minEdge, ranked by
 * |edge|·10 + confidence_pct·0.5, ties broken by player_lookup then game_id (deterministic).
 */
export function selectPicks(currentPredictions: readonly PredictionRow[], options: SelectPicksOptions): Pick[] {
  const topN = options.topN ?? 5;
  const minEdge = options.minEdge ?? 3;
  const candidates = championRows(currentPredictions, options.primarySystemId)
    .filter((r) => (r.recommendation === 'OVER' || r.recommendation === 'UNDER') && isRealBookLine(r))
    .map((r) => {
      const line = r.line_value as number;
      const edge = edgeOf(r) as number;
      return { r, line, edge, score: pickScore(edge, r.confidence_pct) };
    })
    .filter((c) => absEdgeAtLeast(c.edge, minEdge));
  candidates.sort(
    (a, b) => b.score - a.score || a.r.player_lookup.localeCompare(b.r.player_lookup) || a.r.game_id.localeCompare(b.r.game_id),
  );
  return candidates.slice(0, topN).map((c, i) => ({
    rank: i + 1,
    player_lookup: c.r.player_lookup,
    game_id: c.r.game_id,
    recommendation: c.r.recommendation as 'OVER' | 'UNDER',
    line_value: c.line,
    predicted_points: c.r.predicted_points,
    edge: c.edge,
    confidence_pct: c.r.confidence_pct,
    score: c.score,
    prediction_id: c.r.prediction_id,
    system_id: c.r.system_id,
    model_version: c.r.model_version,
  }));
}

export const ALERT_THRESHOLDS = { maxAbsPvlPoints: 2, minDirectionPct: 15, minRows: 10 } as const;

export interface ChampionAlert {
  kind: 'pvl_bias' | 'recommendation_skew';
  message: string;
}

/**
 * Bias alarms on the champion's slate (rows with a real book line, at least 10 of them):
 * |mean PVL| > 2 points, or OVER% or UNDER% of the bets (OVER + UNDER, at least 10) below 15 %. Callers pass champion rows; rows of any
 * other role are ignored here as well.
 */
export function championAlerts(rows: readonly PredictionRow[], primarySystemId?: string): ChampionAlert[] {
  const mine = rows.filter((r) => r.model_role === 'champion' && (primarySystemId === undefined || r.system_id === primarySystemId));
  const m = computeSlateMetrics(mine);
  if (m.n_with_line < ALERT_THRESHOLDS.minRows) return [];
  const alerts: ChampionAlert[] = [];
  if (m.mean_pvl_points != null && Math.abs(m.mean_pvl_points) > ALERT_THRESHOLDS.maxAbsPvlPoints) {
    alerts.push({
      kind: 'pvl_bias',
      message: `PVL ${m.mean_pvl_points > 0 ? '+' : ''}${fmt(m.mean_pvl_points, 2)} pts (|PVL| > ${ALERT_THRESHOLDS.maxAbsPvlPoints}) over ${m.n_with_line} rows: the model is leaning ${m.mean_pvl_points > 0 ? 'OVER' : 'UNDER'} against the books.`,
    });
  }
  // Shares of the bets (OVER + UNDER): PASS rows are not a direction (metrics.ts).
  for (const [dir, share] of m.n_bets < ALERT_THRESHOLDS.minRows ? [] : ([
    ['OVER', m.pct_over],
    ['UNDER', m.pct_under],
  ] as const)) {
    if (share < ALERT_THRESHOLDS.minDirectionPct) {
      alerts.push({
        kind: 'recommendation_skew',
        message: `Only ${fmt(share)}% ${dir} (< ${ALERT_THRESHOLDS.minDirectionPct}%) of ${m.n_bets} bets: recommendations are skewed.`,
      });
    }
  }
  return alerts;
}

export interface SlackMessage {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

const SIGNAL_EMOJI: Record<string, string> = { GREEN: ':large_green_circle:', YELLOW: ':large_yellow_circle:', RED: ':red_circle:' };
const SIGNAL_ACTION: Record<string, string> = {
  GREEN: 'Normal sizing.',
  YELLOW: 'Caution.',
  RED: 'Consider reducing size or skipping.',
  INSUFFICIENT_DATA: 'Not enough rows for a signal.',
};

/** "1. lebronjames — OVER 24.5 pts / edge +3.2 | conf 85" */
export function formatPickLine(p: Pick): string {
  const sign = p.edge >= 0 ? '+' : '-';
  return `${p.rank}. ${p.player_lookup} — ${p.recommendation} ${fmt(p.line_value)} pts / edge ${sign}${fmt(Math.abs(p.edge))} | conf ${fmt(p.confidence_pct, 0)}`;
}

/** Slack incoming-webhook payload (text fallback + blocks). */
export function formatSlackMessage(input: {
  gameDate: string;
  systemId: string;
  signal: DailySignalRow | undefined;
  picks: readonly Pick[];
  alerts: readonly ChampionAlert[];
}): SlackMessage {
  const { gameDate, systemId, signal, picks, alerts } = input;
  const signalLine = signal
    ? `${SIGNAL_EMOJI[signal.daily_signal] ?? ''} *${signal.daily_signal}* — ${fmt(signal.pct_over)}% OVER, ${signal.high_edge_picks} high-edge of ${signal.total_picks}` +
      (signal.avg_pvl != null ? `, PVL ${fmt(signal.avg_pvl, 2)}${Math.abs(signal.avg_pvl) > ALERT_THRESHOLDS.maxAbsPvlPoints ? ' :warning:' : ''}` : '') +
      `\n${signal.signal_explanation}\n${SIGNAL_ACTION[signal.daily_signal] ?? ''}`
    : 'No signal computed for this date yet (run `signals`).';
  const pickLines = picks.length > 0 ? picks.map(formatPickLine).join('\n') : 'No picks met the edge floor today.';
  const modelVersion = picks[0]?.model_version;
  const model = `Model: ${systemId}${modelVersion && modelVersion !== systemId ? ` (${modelVersion})` : ''}`;

  const blocks: Array<Record<string, unknown>> = [
    { type: 'header', text: { type: 'plain_text', text: `NBA props — ${gameDate}` } },
    { type: 'section', text: { type: 'mrkdwn', text: signalLine } },
    { type: 'section', text: { type: 'mrkdwn', text: `*Top picks*\n${pickLines}` } },
  ];
  if (alerts.length > 0) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: *Alerts*\n${alerts.map((a) => `• ${a.message}`).join('\n')}` } });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: model }] });

  const text = [
    `NBA props — ${gameDate} — ${signal ? signal.daily_signal : 'no signal'}`,
    pickLines,
    ...alerts.map((a) => `ALERT: ${a.message}`),
    model,
  ].join('\n');
  return { text, blocks };
}
