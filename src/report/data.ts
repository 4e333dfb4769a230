/**
 * @module report/data
 * Everything the dashboard and the static report show, as plain data: per-system summaries over
 * the range (the metrics module on graded rows; the Wilson band of metrics/wilson.ts; the
 * verdict through report/verdict.ts), the daily model_performance_daily rows (the monitor job's
 * output) and registry events. `buildReportData` is pure; `loadReportData` reads storage.
 */
import type { Storage } from '../storage/storage.js';
import type { PredictionAccuracyRow } from '../storage/tables/prediction-accuracy.js';
import type { ModelPerformanceDailyRow } from '../storage/tables/model-performance-daily.js';
import { championFirst, computeMetrics, unitsWon, type GradedMetrics } from '../metrics/metrics.js';
import { wilsonInterval, type Interval } from '../metrics/wilson.js';
import { dateRange } from '../jobs/format.js';
import { verdictAgainstChampion, type VerdictView } from './verdict.js';
import { systemColours } from './palette.js';
import type { RegistryEvent, RegistryEventSource } from './events.js';

export interface SystemSummary {
  systemId: string;
  role: string;
  colour: string;
  /** computeMetrics over the system's graded rows in the range. */
  metrics: GradedMetrics;
  /** Units won over the range at -110 (metrics.unitsWon on all bets). */
  unitsWon: number;
  /** 95 % Wilson interval of the range's all-bets hit rate. */
  interval: Interval | null;
  /** The system's model_performance_daily row on the last date it has one in the range. */
  latest: ModelPerformanceDailyRow | undefined;
  /** Against the champion over the range (null for the champion). */
  verdict: VerdictView | null;
}

export interface ReportData {
  fromDate: string;
  toDate: string;
  championId: string;
  generatedAt: string;
  /** Where the data came from (storage location), for the page header. */
  source: string;
  dates: string[];
  systems: SystemSummary[];
  /** model_performance_daily rows in the range, by date then system. */
  performance: ModelPerformanceDailyRow[];
  events: RegistryEvent[];
  /** False when no registry-event source was available (the page says so). */
  eventsAvailable: boolean;
}

export interface BuildReportInput {
  fromDate: string;
  toDate: string;
  championId: string;
  generatedAt: string;
  source: string;
  graded: readonly PredictionAccuracyRow[];
  performance: readonly ModelPerformanceDailyRow[];
  events?: readonly RegistryEvent[];
}

/** The report's data from rows already read. Pure. */
export function buildReportData(input: BuildReportInput): ReportData {
  const { fromDate, toDate, championId } = input;
  const graded = input.graded.filter((r) => r.game_date >= fromDate && r.game_date <= toDate);
  const performance = input.performance.filter((r) => r.game_date >= fromDate && r.game_date <= toDate);
  const ids = championFirst([...graded.map((r) => r.system_id), ...performance.map((r) => r.system_id)], championId);
  const colours = systemColours(ids, championId);
  const systems = ids.map((systemId): SystemSummary => {
    const mine = graded.filter((r) => r.system_id === systemId);
    const perf = performance.filter((r) => r.system_id === systemId);
    const metrics = computeMetrics(mine);
    return {
      systemId,
      role: mine[0]?.model_role ?? perf.at(-1)?.model_role ?? (systemId === championId ? 'champion' : 'challenger'),
      colour: colours[systemId]!,
      metrics,
      unitsWon: unitsWon(metrics.all),
      interval: wilsonInterval(metrics.all.wins, metrics.all.n_decided),
      latest: perf.at(-1),
      verdict: systemId === championId ? null : verdictAgainstChampion(graded, { challengerId: systemId, championId, fromDate, toDate }),
    };
  });
  return {
    fromDate,
    toDate,
    championId,
    generatedAt: input.generatedAt,
    source: input.source,
    dates: dateRange(fromDate, toDate),
    systems,
    performance: [...performance],
    events: (input.events ?? []).filter((e) => e.date >= fromDate && e.date <= toDate),
    eventsAvailable: input.events !== undefined,
  };
}

/** Reads the range's graded rows and performance rows (and events, when a source is given). */
export async function loadReportData(
  storage: Storage,
  options: { fromDate: string; toDate: string; championId: string; now: Date; events?: RegistryEventSource },
): Promise<ReportData> {
  const [graded, performance, events] = await Promise.all([
    storage.accuracy.forRange(options.fromDate, options.toDate),
    storage.performance.forRange(options.fromDate, options.toDate),
    options.events?.forRange(options.fromDate, options.toDate),
  ]);
  return buildReportData({
    fromDate: options.fromDate,
    toDate: options.toDate,
    championId: options.championId,
    generatedAt: options.now.toISOString(),
    source: `${storage.kind}: ${storage.location}`,
    graded,
    performance,
    events,
  });
}
