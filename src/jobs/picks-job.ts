/**
 * @module jobs/picks-job
 * Champion picks + bias alerts for one date, and (with `send`) the Slack message, once per date:
 * a delivered message is recorded in notifications_sent and re-runs skip it unless `force`
 * (the original re-sent after every consolidation, §6/§12.12). A failed POST is not recorded,
 * so the next run sends it. Two runs racing within the POST's round trip can both send; runs are
 * scheduled, not concurrent, so this is accepted rather than locked.
 */
import type { Storage } from '../storage/storage.js';
import type { DailySignalRow } from '../storage/tables/daily-prediction-signals.js';
import { PwError } from '../errors.js';
import { championAlerts, championRows, formatPickLine, formatSlackMessage, selectPicks, type ChampionAlert, type Pick, type SlackMessage } from '../picks/picks.js';
import { postSlack } from '../picks/slack.js';

export const PICKS_NOTIFICATION_KIND = 'picks_slack';

export type DeliveryStatus = 'not_requested' | 'sent' | 'skipped_already_sent';

export interface PicksJobResult {
  gameDate: string;
  primarySystemId: string;
  picks: Pick[];
  alerts: ChampionAlert[];
  signal: DailySignalRow | undefined;
  message: SlackMessage;
  delivery: DeliveryStatus;
  /** When the earlier delivery happened (skipped_already_sent). */
  previouslySentAt?: string;
}

export async function runPicksJob(input: {
  storage: Storage;
  gameDate: string;
  primarySystemId: string;
  webhookUrl?: string;
  send: boolean;
  force: boolean;
  now: Date;
  topN?: number;
  minEdge?: number;
  /** Slack POST timeout, ms. */
  timeoutMs?: number;
}): Promise<PicksJobResult> {
  const { storage, gameDate, primarySystemId } = input;
  if (input.send && !input.webhookUrl) {
    throw new PwError('PW_ERR_JOB_INPUT', undefined, '--send needs a Slack webhook URL (SLACK_WEBHOOK_URL_SIGNALS)');
  }
  const [current, signals] = await Promise.all([
    storage.predictions.currentPredictions(gameDate, [primarySystemId]),
    storage.signals.forDate(gameDate),
  ]);
  const rows = championRows(current, primarySystemId);
  const picks = selectPicks(rows, { primarySystemId, topN: input.topN, minEdge: input.minEdge });
  const alerts = championAlerts(rows, primarySystemId);
  const signal = signals.find((s) => s.system_id === primarySystemId);
  const message = formatSlackMessage({ gameDate, systemId: primarySystemId, signal, picks, alerts });
  const result: PicksJobResult = { gameDate, primarySystemId, picks, alerts, signal, message, delivery: 'not_requested' };
  if (!input.send) return result;

  const previous = await storage.notifications.find(gameDate, PICKS_NOTIFICATION_KIND);
  if (previous && !input.force) return { ...result, delivery: 'skipped_already_sent', previouslySentAt: previous.sent_at };

  await postSlack(input.webhookUrl as string, message, { timeoutMs: input.timeoutMs });
  await storage.notifications.record({
    game_date: gameDate,
    kind: PICKS_NOTIFICATION_KIND,
    system_id: primarySystemId,
    payload: JSON.stringify(message),
    sent_at: input.now.toISOString(),
  });
  return { ...result, delivery: 'sent' };
}

export function formatPicksSummary(r: PicksJobResult): string {
  const lines = [
    `picks ${r.gameDate} (${r.primarySystemId}, champion only): ${r.picks.length} picks, signal ${r.signal?.daily_signal ?? 'none'}`,
    ...r.picks.map(formatPickLine),
    ...r.alerts.map((a) => `ALERT ${a.kind}: ${a.message}`),
  ];
  if (r.delivery === 'sent') lines.push('slack: sent');
  else if (r.delivery === 'skipped_already_sent') lines.push(`slack: already sent at ${r.previouslySentAt}; not resent (use --force to resend)`);
  else lines.push('slack: not sent (dry run; pass --send)');
  return lines.join('\n') + '\n';
}
