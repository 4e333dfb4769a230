/**
 * @module report/charts
 * Chart specifications (Apache ECharts options, plain data) and their server-side SVG rendering
 * (`echarts.init(null, null, { renderer: 'svg', ssr: true })` then `renderToSVGString`). The SVG
 * is inlined in the page, so the static report needs no script and no network. Each chart
 * records which system each series draws (`seriesSystems`), in series order; ECharts marks every
 * drawn data point with `ecmeta_series_index` / `ecmeta_data_index`, which the browser test
 * reads to check that every system has points in every chart.
 */
import * as echarts from 'echarts';
import type { ModelPerformanceDailyRow } from '../storage/tables/model-performance-daily.js';
import { BREAKEVEN_HIT_RATE_PCT } from '../metrics/metrics.js';
import { wilsonInterval } from '../metrics/wilson.js';
import { STATE_RULE } from '../monitoring/state.js';
import { MODEL_STATES } from '../storage/tables/model-performance-daily.js';
import { STATE_COLOURS } from './palette.js';
import type { ReportData } from './data.js';

export interface ChartSpec {
  id: string;
  title: string;
  option: echarts.EChartsOption;
  /** System drawn by each series (null for helper series such as interval bands). */
  seriesSystems: Array<string | null>;
  width: number;
  height: number;
}

const WIDTH = 1000;
const TEXT = { fontFamily: 'system-ui, -apple-system, "Segoe UI", sans-serif', fontSize: 12, color: '#222' };

function rowsBy(data: ReportData): Map<string, Map<string, ModelPerformanceDailyRow>> {
  const out = new Map<string, Map<string, ModelPerformanceDailyRow>>();
  for (const r of data.performance) {
    const m = out.get(r.system_id) ?? new Map<string, ModelPerformanceDailyRow>();
    m.set(r.game_date, r);
    out.set(r.system_id, m);
  }
  return out;
}

/** Vertical marks at registry events (promotions, retirements): one mark per date, so events of the same day share one label instead of drawing over each other. */
function eventMarks(data: ReportData) {
  const byDate = new Map<string, string[]>();
  for (const e of data.events) byDate.set(e.date, [...(byDate.get(e.date) ?? []), `${e.kind}: ${e.system_id}`]);
  return [...byDate].map(([date, labels]) => ({
    xAxis: date,
    lineStyle: { color: '#555', type: 'dashed' as const, width: 1 },
    label: { formatter: labels.join(' · '), color: '#333', fontSize: 11, position: 'insideEndTop' as const },
  }));
}

function base(title: string, data: ReportData, yName: string, legend: string[]): echarts.EChartsOption {
  return {
    animation: false,
    textStyle: TEXT,
    title: { text: title, left: 8, top: 4, textStyle: { fontSize: 14, fontWeight: 'bold' } },
    // generous gaps: server-side rendering measures text approximately
    legend: { data: legend, top: 26, left: 8, itemWidth: 18, itemGap: 36, textStyle: { fontSize: 12 } },
    grid: { left: 56, right: 24, top: 76, bottom: 48 },
    xAxis: { type: 'category', data: data.dates, axisLabel: { fontSize: 11, hideOverlap: true }, name: 'game date', nameLocation: 'middle', nameGap: 30 },
    yAxis: { type: 'value', name: yName, nameTextStyle: { align: 'left' }, axisLabel: { fontSize: 11 } },
  };
}

/** One system's hit rate: daily (all bets), 7- and 14-day edge-3+ with the 14-day Wilson band, breakeven line. */
export function hitRateChart(data: ReportData, systemId: string): ChartSpec {
  const sys = data.systems.find((s) => s.systemId === systemId)!;
  const rows = rowsBy(data).get(systemId) ?? new Map();
  const at = (d: string) => rows.get(d) as ModelPerformanceDailyRow | undefined;
  const band = data.dates.map((d) => {
    const r = at(d);
    return r ? wilsonInterval(r.rolling_14d_wins, r.rolling_14d_n) : null;
  });
  const daily = `daily HR, all bets`;
  const r14 = `${STATE_RULE.basisWindowDays}-day HR, edge 3+`;
  const r7 = '7-day HR, edge 3+';
  const option: echarts.EChartsOption = {
    ...base(`${systemId}: hit rate`, data, '%', [daily, r14, r7, '95% interval (14-day)']),
    yAxis: { type: 'value', name: '%', min: 0, max: 100, axisLabel: { fontSize: 11 } },
    series: [
      { name: daily, type: 'scatter', symbolSize: 7, itemStyle: { color: sys.colour, opacity: 0.55 }, data: data.dates.map((d) => at(d)?.hit_rate_pct ?? null) },
      {
        name: r14,
        type: 'line',
        showAllSymbol: true,
        symbolSize: 5,
        connectNulls: false,
        itemStyle: { color: sys.colour },
        lineStyle: { width: 2.5 },
        data: data.dates.map((d) => (at(d)?.rolling_14d_n ? at(d)!.rolling_14d_hit_rate_pct : null)),
        markLine: {
          symbol: 'none',
          silent: true,
          data: [
            { yAxis: BREAKEVEN_HIT_RATE_PCT, lineStyle: { color: '#D55E00', type: 'solid', width: 1.5 }, label: { formatter: `breakeven ${BREAKEVEN_HIT_RATE_PCT}%`, position: 'insideEndTop', color: '#A33' } },
            ...eventMarks(data),
          ],
        },
      },
      {
        name: r7,
        type: 'line',
        showAllSymbol: true,
        symbolSize: 4,
        itemStyle: { color: sys.colour },
        lineStyle: { width: 1.5, type: 'dashed' },
        data: data.dates.map((d) => (at(d)?.rolling_7d_n ? at(d)!.rolling_7d_hit_rate_pct : null)),
      },
      { name: '95% interval (14-day)', type: 'line', stack: 'band', symbol: 'none', lineStyle: { opacity: 0 }, itemStyle: { color: sys.colour }, data: band.map((b) => b?.lowPct ?? null), silent: true },
      {
        name: '95% interval (14-day)',
        type: 'line',
        stack: 'band',
        symbol: 'none',
        lineStyle: { opacity: 0 },
        itemStyle: { color: sys.colour },
        areaStyle: { color: sys.colour, opacity: 0.15 },
        data: band.map((b) => (b ? b.highPct - b.lowPct : null)),
        silent: true,
      },
    ],
  };
  return { id: `hit-rate-${systemId}`, title: `${systemId}: hit rate`, option, seriesSystems: [systemId, systemId, systemId, null, null], width: WIDTH, height: 320 };
}

/** One line per system of a per-day value; the champion drawn last (on top) and thicker. */
function perSystemLines(data: ReportData, id: string, title: string, yName: string, value: (r: ModelPerformanceDailyRow | undefined, d: string, systemId: string) => number | null, kind: 'line' | 'bar' = 'line'): ChartSpec {
  const rows = rowsBy(data);
  const series = data.systems.map((s, i) => {
    const champion = s.systemId === data.championId;
    return {
      name: s.systemId,
      type: kind,
      showAllSymbol: true,
      symbolSize: champion ? 6 : 5,
      z: champion ? 3 : 2,
      itemStyle: { color: s.colour },
      lineStyle: { width: champion ? 3 : 2, type: champion ? ('solid' as const) : i % 2 === 0 ? ('solid' as const) : ('dashed' as const) },
      data: data.dates.map((d) => value(rows.get(s.systemId)?.get(d), d, s.systemId)),
      ...(i === 0 && data.events.length > 0 ? { markLine: { symbol: 'none', silent: true, data: eventMarks(data) } } : {}),
    };
  });
  const option = { ...base(title, data, yName, data.systems.map((s) => s.systemId)), series } as echarts.EChartsOption;
  return { id, title, option, seriesSystems: data.systems.map((s) => s.systemId), width: WIDTH, height: 320 };
}

/** Cumulative units won at -110 per system (days without a row add nothing). */
export function cumulativeUnits(data: ReportData): Map<string, Map<string, number>> {
  const rows = rowsBy(data);
  const out = new Map<string, Map<string, number>>();
  for (const s of data.systems) {
    let total = 0;
    const m = new Map<string, number>();
    for (const d of data.dates) {
      total += rows.get(s.systemId)?.get(d)?.units_won ?? 0;
      m.set(d, total);
    }
    out.set(s.systemId, m);
  }
  return out;
}

export function unitsChart(data: ReportData): ChartSpec {
  const cum = cumulativeUnits(data);
  return perSystemLines(data, 'units', 'Cumulative units won (1 unit per bet at -110)', 'units', (r, d, id) => (r ? cum.get(id)!.get(d)! : null));
}

export function maeChart(data: ReportData): ChartSpec {
  return perSystemLines(data, 'mae', 'MAE per day (points)', 'points', (r) => r?.mae_points ?? null);
}

export function pvlChart(data: ReportData): ChartSpec {
  return perSystemLines(data, 'pvl', 'PVL per day: mean predicted - line (points)', 'points', (r) => r?.pvl_points ?? null);
}

export function coverageChart(data: ReportData): ChartSpec {
  return perSystemLines(data, 'coverage', 'Coverage: prediction rows per day', 'rows', (r) => (r ? r.predicted_rows : null), 'bar');
}

/** Every system's state per day as coloured squares; the state is also in the table below. */
export function stateChart(data: ReportData): ChartSpec {
  const rows = rowsBy(data);
  const ids = data.systems.map((s) => s.systemId);
  const series = data.systems.map((s) => ({
    name: s.systemId,
    type: 'scatter' as const,
    symbol: 'rect',
    symbolSize: [14, 18],
    data: data.dates
      .filter((d) => rows.get(s.systemId)?.has(d))
      .map((d) => {
        const state = rows.get(s.systemId)!.get(d)!.state;
        return { value: [d, s.systemId], itemStyle: { color: STATE_COLOURS[state], borderColor: '#333', borderWidth: 0.5 } };
      }),
  }));
  const option: echarts.EChartsOption = {
    ...base('State per day', data, '', []),
    legend: { show: false },
    grid: { left: 190, right: 24, top: 40, bottom: 48 },
    yAxis: { type: 'category', data: [...ids].reverse(), axisLabel: { fontSize: 11 } },
    series: [
      ...series,
      ...(data.events.length > 0 ? [{ type: 'line' as const, data: [], markLine: { symbol: 'none', silent: true, data: eventMarks(data) } }] : []),
    ],
  };
  return { id: 'state', title: 'State per day', option, seriesSystems: [...ids, ...(data.events.length > 0 ? [null] : [])], width: WIDTH, height: 90 + 34 * ids.length };
}

/** The states' legend for the page (colour and name; MODEL_STATES order). */
export const STATE_LEGEND = MODEL_STATES.map((s) => ({ state: s, colour: STATE_COLOURS[s]! }));

/**
 * Render a chart to an SVG string that scales to its container (viewBox). Every chart's internal
 * ids (clip paths, gradients: `zr0-c0`, …) are made unique with the chart id, since a page
 * inlines many SVGs and `url(#id)` resolves to the first element with that id in the document.
 */
export function renderSvg(spec: ChartSpec): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: spec.width, height: spec.height });
  try {
    chart.setOption(spec.option);
    const prefix = spec.id.replace(/[^A-Za-z0-9_-]/g, '_');
    return chart.renderToSVGString({ useViewBox: true }).replace(/(id="|url\(#|href="#)(zr\d+-)/g, `$1${prefix}-$2`);
  } finally {
    chart.dispose();
  }
}
