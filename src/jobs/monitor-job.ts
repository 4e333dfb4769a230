/**
 * @module jobs/monitor-job
 * The monitor job for one game date (after grading): reads graded rows (30 days), the date's
 * current predictions and request outcomes, and each system's latest earlier row; computes
 * coverage and model_performance_daily (src/monitoring) and replaces the date's rows, so
 * re-running a date is idempotent like grading. With `send`, it posts the champion's state
 * transition to the alert webhook (once per transition: recorded in notifications_sent) and the
 * daily digest to the internal digest webhook (once per date unless `force`). Each URL comes from
 * its own variable; neither is ever the user-facing picks webhook (config/env.ts refuses it, and
 * this job refuses it again when given the picks URL).
 */
import type { Storage } from '../storage/storage.js';
import type { ModelPerformanceDailyRow } from '../storage/tables/model-performance-daily.js';
import type { Registry } from '../../config/registry.js';
import { PwError } from '../errors.js';
import { computeCoverage, type CoverageRow } from '../monitoring/coverage.js';
import { computePerformanceDaily } from '../monitoring/performance.js';
import { windowStart } from '../monitoring/windows.js';
import { DIGEST_NOTIFICATION_KIND, buildDigest, championTransitionAlert, championTransitionKind, retrainReminder } from '../monitoring/alerts.js';
import { verdictAgainstChampion, type VerdictView } from '../report/verdict.js';
import { postSlack } from '../picks/slack.js';
import { addDays, renderTable } from './format.js';
import { fmt } from '../metrics/metrics.js';

/** Days of graded history read (the longest rolling window). */
const HISTORY_DAYS = 30;
/** Window of the verdicts in the digest, days ending on the date. */
export const DIGEST_VERDICT_DAYS = 14;
/** How far back a system's previous row is looked for (state carry-in across days without a run). */
const CARRY_IN_DAYS = 7;

export type SendStatus = 'not_requested' | 'not_configured' | 'nothing_to_send' | 'sent' | 'skipped_already_sent';

export interface MonitorJobResult {
  gameDate: string;
  rows: ModelPerformanceDailyRow[];
  coverage: CoverageRow[];
  verdicts: VerdictView[];
  championAlert: SendStatus;
  digest: SendStatus;
}

/**
 * train_end of every registry entry (enabled or not), by system_id: the model age the digest
 * reminds about. A previous champion's shadow entry may have no known training window: left out.
 */
export function trainingEndsFromRegistry(registry: Registry): Record<string, string> {
  return Object.fromEntries(Object.entries(registry).flatMap(([id, e]) => (e.train_end === undefined ? [] : [[id, e.train_end]])));
}

export async function runMonitorJob(input: {
  storage: Storage;
  gameDate: string;
  championSystemId: string;
  /** Champion + enabled registry entries. */
  expectedSystemIds: readonly string[];
  trainingEndBySystem?: Readonly<Record<string, string>>;
  now: Date;
  send?: boolean;
  force?: boolean;
  alertWebhookUrl?: string;
  digestWebhookUrl?: string;
  /** The user-facing picks webhook, only so the job can refuse to post operator messages there. */
  picksWebhookUrl?: string;
  reportUrl?: string;
  timeoutMs?: number;
}): Promise<MonitorJobResult> {
  const { storage, gameDate, championSystemId: championId } = input;
  for (const [name, url] of [
    ['alert', input.alertWebhookUrl],
    ['digest', input.digestWebhookUrl],
  ] as const) {
    if (url && input.picksWebhookUrl && url === input.picksWebhookUrl) {
      throw new PwError('PW_ERR_JOB_INPUT', undefined, `the ${name} webhook is the user-facing picks webhook; operator messages never go there`);
    }
  }
  const [graded, predictions, outcomes, earlier] = await Promise.all([
    storage.accuracy.forRange(windowStart(gameDate, HISTORY_DAYS), gameDate),
    storage.predictions.currentPredictions(gameDate),
    storage.outcomes.forDate(gameDate),
    storage.performance.forRange(windowStart(addDays(gameDate, -1), CARRY_IN_DAYS), addDays(gameDate, -1)),
  ]);
  const latestBefore = new Map<string, ModelPerformanceDailyRow>();
  for (const r of earlier) latestBefore.set(r.system_id, r); // forRange is ordered by date
  const coverage = computeCoverage({ gameDate, championSystemId: championId, expectedSystemIds: input.expectedSystemIds, predictions, outcomes });
  const rows = computePerformanceDaily({
    gameDate,
    championSystemId: championId,
    graded,
    previous: [...latestBefore.values()],
    coverage,
    trainingEndBySystem: input.trainingEndBySystem,
    calculatedAt: input.now.toISOString(),
  });
  await storage.performance.replaceDate(gameDate, rows);

  const fromDate = windowStart(gameDate, DIGEST_VERDICT_DAYS);
  const verdicts = rows
    .filter((r) => r.system_id !== championId)
    .map((r) => verdictAgainstChampion(graded, { challengerId: r.system_id, championId, fromDate, toDate: gameDate }));
  const result: MonitorJobResult = { gameDate, rows, coverage, verdicts, championAlert: 'not_requested', digest: 'not_requested' };
  if (!input.send) return result;

  // Champion transition: once per (date, new state).
  const alert = championTransitionAlert(rows, championId);
  if (!alert) result.championAlert = 'nothing_to_send';
  else if (!input.alertWebhookUrl) result.championAlert = 'not_configured';
  else {
    const kind = championTransitionKind(rows.find((r) => r.system_id === championId)!);
    if (await storage.notifications.find(gameDate, kind)) result.championAlert = 'skipped_already_sent';
    else {
      await postSlack(input.alertWebhookUrl, alert, { timeoutMs: input.timeoutMs });
      await storage.notifications.record({ game_date: gameDate, kind, system_id: championId, payload: JSON.stringify(alert), sent_at: input.now.toISOString() });
      result.championAlert = 'sent';
    }
  }

  // Digest: once per date unless forced.
  if (!input.digestWebhookUrl) result.digest = 'not_configured';
  else if (!input.force && (await storage.notifications.find(gameDate, DIGEST_NOTIFICATION_KIND))) result.digest = 'skipped_already_sent';
  else {
    const digest = buildDigest({ gameDate, championSystemId: championId, rows, verdicts: verdicts.map((v) => ({ systemId: v.systemId, text: v.text })), reportUrl: input.reportUrl });
    await postSlack(input.digestWebhookUrl, digest, { timeoutMs: input.timeoutMs });
    await storage.notifications.record({ game_date: gameDate, kind: DIGEST_NOTIFICATION_KIND, system_id: championId, payload: JSON.stringify(digest), sent_at: input.now.toISOString() });
    result.digest = 'sent';
  }
  return result;
}

export function formatMonitorSummary(r: MonitorJobResult): string {
  const table = renderTable(
    ['system_id', 'role', 'state', 'action', 'bets', 'hr_pct', 'units', 'hr14_e3', 'n14_e3', 'rows', 'coverage', 'age_d', 'retrain'],
    r.rows.map((x) => [
      x.system_id,
      x.model_role,
      x.state,
      x.action,
      String(x.bets),
      fmt(x.hit_rate_pct),
      fmt(x.units_won, 2),
      fmt(x.rolling_14d_hit_rate_pct),
      String(x.rolling_14d_n),
      String(x.predicted_rows),
      x.coverage_status,
      x.days_since_training == null ? '-' : String(x.days_since_training),
      retrainReminder(x.days_since_training) ?? '-',
    ]),
  );
  return `monitor ${r.gameDate}: ${r.rows.length} systems; champion alert ${r.championAlert}, digest ${r.digest}\n${table}${r.verdicts.map((v) => `${v.systemId} vs ${v.championId} (${v.fromDate}..${v.toDate}): ${v.text}\n`).join('')}`;
}
