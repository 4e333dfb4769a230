/**
 * @module monitoring/alerts
 * Messages the monitor job sends, built here as plain data (the job posts them):
 *   - the champion's state transition, for the operators' alert channel, once per transition;
 *   - the daily challenger digest (states, verdicts, coverage, retrain reminders), for a separate
 *     INTERNAL webhook. Neither ever goes to the user-facing picks channel (SLACK_WEBHOOK_URL_SIGNALS):
 *     config/env.ts refuses the same URL, and the job takes each URL from its own variable.
 * Retrain reminders by model age follow the original's later cadence (§7.6): ROUTINE from 7 days
 * after the training end, OVERDUE from 10, URGENT from 14.
 */
import type { ModelPerformanceDailyRow } from '../storage/tables/model-performance-daily.js';
import type { SlackMessage } from '../picks/picks.js';
import { fmt } from '../metrics/metrics.js';
import { STATE_RULE } from './state.js';

export const RETRAIN_REMINDER_DAYS = { ROUTINE: 7, OVERDUE: 10, URGENT: 14 } as const;
export type RetrainLevel = keyof typeof RETRAIN_REMINDER_DAYS;

/** The reminder level for a model `days` after its training end; null below 7 days or when unknown. */
export function retrainReminder(days: number | null): RetrainLevel | null {
  if (days == null) return null;
  if (days >= RETRAIN_REMINDER_DAYS.URGENT) return 'URGENT';
  if (days >= RETRAIN_REMINDER_DAYS.OVERDUE) return 'OVERDUE';
  if (days >= RETRAIN_REMINDER_DAYS.ROUTINE) return 'ROUTINE';
  return null;
}

/** Notification kind recording that a champion transition was sent (one per date and new state). */
export function championTransitionKind(row: Pick<ModelPerformanceDailyRow, 'state'>): string {
  return `monitor_champion_${row.state.toLowerCase()}`;
}

export const DIGEST_NOTIFICATION_KIND = 'monitor_digest';

function basisText(r: ModelPerformanceDailyRow): string {
  return `${STATE_RULE.basisWindowDays}-day edge-3+ HR ${fmt(r.rolling_14d_hit_rate_pct)}% (N=${r.rolling_14d_n})`;
}

/** The champion's transition message, or null when its row's action is NO_CHANGE. */
export function championTransitionAlert(rows: readonly ModelPerformanceDailyRow[], championSystemId: string): SlackMessage | null {
  const r = rows.find((x) => x.system_id === championSystemId);
  if (!r || r.action === 'NO_CHANGE') return null;
  const emoji = r.action === 'DEGRADED' ? ':warning:' : ':white_check_mark:';
  const text = `${emoji} Champion ${r.system_id} ${r.action} on ${r.game_date}: ${r.previous_state} -> ${r.state}; ${basisText(r)}, breakeven ${STATE_RULE.breakevenPct}%.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

/** What the digest shows per challenger besides its row: the verdict text from the one verdict rule. */
export interface DigestVerdict {
  systemId: string;
  text: string;
}

/**
 * The daily digest for the internal channel: one line per system (state, basis, coverage, model
 * age with its reminder), the verdict of each challenger against the champion, and the report link.
 */
export function buildDigest(input: {
  gameDate: string;
  championSystemId: string;
  rows: readonly ModelPerformanceDailyRow[];
  verdicts: readonly DigestVerdict[];
  reportUrl?: string;
}): SlackMessage {
  const lines = input.rows.map((r) => {
    const role = r.system_id === input.championSystemId ? 'champion' : 'challenger';
    const reminder = retrainReminder(r.days_since_training);
    const age = r.days_since_training == null ? 'age unknown' : `trained ${r.days_since_training} d ago${reminder ? ` (retrain ${reminder})` : ''}`;
    const coverage = r.coverage_status === 'OK' ? `${r.predicted_rows} rows` : `coverage ${r.coverage_status}: ${r.predicted_rows} rows vs champion ${r.champion_rows}`;
    const verdict = input.verdicts.find((v) => v.systemId === r.system_id);
    return `• *${r.system_id}* (${role}) ${r.state}${r.action === 'NO_CHANGE' ? '' : ` (${r.action})`}: ${basisText(r)}; ${coverage}; ${age}${verdict ? `\n   vs champion: ${verdict.text}` : ''}`;
  });
  const header = `Model digest ${input.gameDate} (internal): ${input.rows.length} systems`;
  const text = [header, ...lines, ...(input.reportUrl ? [`Report: ${input.reportUrl}`] : [])].join('\n');
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: header } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') || 'No systems.' } },
      ...(input.reportUrl ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${input.reportUrl}|Open the report>` }] }] : []),
    ],
  };
}
