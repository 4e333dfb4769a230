/**
 * @module report/html
 * The one view, as one self-contained HTML page: inline CSS, charts as inline SVG (report/charts),
 * no script, no external resource, so the file opens offline and can be published to a bucket.
 * The dashboard serves the same string. Under every chart, a table of the same numbers; every
 * number cell carries `data-k` (what it is) and its row `data-system`/`data-date`, which the
 * browser test compares with the metrics module.
 */
import { BREAKEVEN_HIT_RATE_PCT, fmt } from '../metrics/metrics.js';
import { wilsonInterval, type Interval } from '../metrics/wilson.js';
import { STATE_RULE } from '../monitoring/state.js';
import { retrainReminder } from '../monitoring/alerts.js';
import type { ModelPerformanceDailyRow } from '../storage/tables/model-performance-daily.js';
import type { ReportData, SystemSummary } from './data.js';
import { STATE_LEGEND, coverageChart, cumulativeUnits, hitRateChart, maeChart, pvlChart, renderSvg, stateChart, unitsChart, type ChartSpec } from './charts.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function interval(i: Interval | null): string {
  return i ? `${fmt(i.lowPct)}–${fmt(i.highPct)}` : '-';
}

function td(k: string, v: string, cls = 'num'): string {
  return `<td class="${cls}" data-k="${k}">${esc(v)}</td>`;
}

function figure(spec: ChartSpec): string {
  return `<figure class="chart" id="chart-${esc(spec.id)}" data-chart="${esc(spec.id)}" data-series='${esc(JSON.stringify(spec.seriesSystems))}'>${renderSvg(spec)}</figure>`;
}

function table(caption: string, head: string[], rows: string[], id: string): string {
  return `<div class="scroll"><table id="${esc(id)}"><caption>${esc(caption)}</caption><thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function swatch(colour: string): string {
  return `<span class="sw" style="background:${colour}"></span>`;
}

function summaryTable(data: ReportData): string {
  const rows = data.systems.map((s) => {
    const m = s.metrics;
    const l = s.latest;
    const v = s.verdict;
    const age = l?.days_since_training ?? null;
    return (
      `<tr data-system="${esc(s.systemId)}"><th scope="row">${swatch(s.colour)}${esc(s.systemId)}<br><small data-k="role">${esc(s.role)}</small></th>` +
      td('state', l ? l.state : '-', 'txt') +
      td('coverage', l ? `${l.coverage_status} (${l.predicted_rows})` : '-', 'txt') +
      td('bets', String(m.all.n_bets)) +
      td('wins', String(m.all.wins)) +
      td('losses', String(m.all.losses)) +
      td('pushes', String(m.all.pushes)) +
      td('hit_rate_pct', fmt(m.all.hit_rate_pct)) +
      td('hit_rate_interval', interval(s.interval)) +
      td('edge3_hit_rate_pct', `${fmt(m.edge_3plus.hit_rate_pct)} (${m.edge_3plus.n_decided})`) +
      td('mae_points', fmt(m.mae_points, 2)) +
      td('pvl_points', fmt(m.mean_pvl_points, 2)) +
      td('units_won', fmt(s.unitsWon, 2)) +
      td('verdict', v ? v.label : 'champion', 'txt') +
      td('age', age == null ? 'unknown' : `${age} d${retrainReminder(age) ? ` (${retrainReminder(age)})` : ''}`, 'txt') +
      '</tr>'
    );
  });
  return table(
    `Each system over ${data.fromDate}..${data.toDate}: graded bets through the metrics module (HR = wins / (wins + losses)), 95% Wilson interval, units at -110; state and coverage on the last monitored day.`,
    ['system', 'state', 'coverage', 'bets', 'W', 'L', 'P', 'HR %', '95% int.', 'HR e3+ (N)', 'MAE', 'PVL', 'units', 'vs champion', 'age'],
    rows,
    'summary',
  );
}

function verdictTable(data: ReportData): string {
  const rows = data.systems
    .filter((s) => s.verdict)
    .map((s) => {
      const v = s.verdict!;
      return (
        `<tr data-system="${esc(s.systemId)}"><th scope="row">${swatch(s.colour)}${esc(s.systemId)}</th>` +
        td('label', v.label, 'txt') +
        td('matched', String(v.matchedRows)) +
        td('challenger_hr', `${fmt(v.challenger.hitRatePct)} [${interval(v.challenger.interval)}] N=${v.challenger.nDecided}`) +
        td('champion_hr', `${fmt(v.champion.hitRatePct)} [${interval(v.champion.interval)}] N=${v.champion.nDecided}`) +
        td('diff_pp', v.diffPp == null ? '-' : `${v.diffPp >= 0 ? '+' : ''}${fmt(v.diffPp)}`) +
        td('diff_interval', v.diffIntervalPp ? `${fmt(v.diffIntervalPp.lowPp)} to ${fmt(v.diffIntervalPp.highPp)}` : '-') +
        td('game_days', String(v.gameDays)) +
        td('to_decide', v.toDecide?.moreBets != null ? `~${v.toDecide.moreBets} bets` : '-') +
        '</tr>' +
        `<tr class="why" data-system="${esc(s.systemId)}"><td colspan="9" data-k="reason">${esc(v.text)}</td></tr>`
      );
    });
  const rule = data.systems.find((s) => s.verdict)?.verdict?.rule ?? '-';
  return table(
    `Verdict of each challenger against the champion ${data.championId} on matched rows (same date, game, player, line), ${data.fromDate}..${data.toDate}. Rule: ${rule}. Per-side brackets are 95% Wilson intervals; the difference interval is the rule's.`,
    ['challenger', 'verdict', 'matched', 'challenger HR [95%] N', 'champion HR [95%] N', 'diff pp', 'diff interval', 'days', 'to decide'],
    rows,
    'verdicts',
  );
}

function rowsOf(data: ReportData, systemId: string): Map<string, ModelPerformanceDailyRow> {
  return new Map(data.performance.filter((r) => r.system_id === systemId).map((r) => [r.game_date, r]));
}

function hitRateSection(data: ReportData, s: SystemSummary): string {
  const rows = rowsOf(data, s.systemId);
  const body = data.dates
    .filter((d) => rows.has(d))
    .map((d) => {
      const r = rows.get(d)!;
      return (
        `<tr data-system="${esc(s.systemId)}" data-date="${d}"><th scope="row">${d}</th>` +
        td('bets', String(r.bets)) +
        td('wins', String(r.wins)) +
        td('losses', String(r.losses)) +
        td('pushes', String(r.pushes)) +
        td('voids', String(r.voids)) +
        td('hit_rate_pct', fmt(r.hit_rate_pct)) +
        td('hit_rate_interval', interval(wilsonInterval(r.wins, r.wins + r.losses))) +
        td('rolling_7d', `${fmt(r.rolling_7d_hit_rate_pct)} (${r.rolling_7d_n})`) +
        td('rolling_14d', `${fmt(r.rolling_14d_hit_rate_pct)} (${r.rolling_14d_n})`) +
        td('rolling_14d_interval', interval(wilsonInterval(r.rolling_14d_wins, r.rolling_14d_n))) +
        td('rolling_30d', `${fmt(r.rolling_30d_hit_rate_pct)} (${r.rolling_30d_n})`) +
        td('state', `${r.state}${r.action === 'NO_CHANGE' ? '' : ` (${r.action})`}`, 'txt') +
        '</tr>'
      );
    });
  return (
    `<section class="system" id="system-${esc(s.systemId)}" data-system="${esc(s.systemId)}"><h3>${swatch(s.colour)}${esc(s.systemId)} <small>${esc(s.role)}</small></h3>` +
    figure(hitRateChart(data, s.systemId)) +
    table(
      `${s.systemId}: per day. HR = wins / (wins + losses), all bets; rolling windows at |edge| >= 3 with N decided bets; the ${STATE_RULE.basisWindowDays}-day one drives the state.`,
      ['date', 'bets', 'W', 'L', 'P', 'V', 'HR %', '95% interval', '7-day edge 3+ HR (N)', '14-day edge 3+ HR (N)', '14-day 95% interval', '30-day edge 3+ HR (N)', 'state'],
      body,
      `table-hit-rate-${s.systemId}`,
    ) +
    '</section>'
  );
}

/** Date × system table for a per-day value. */
function matrix(data: ReportData, id: string, caption: string, k: string, cell: (r: ModelPerformanceDailyRow | undefined, d: string, systemId: string) => string): string {
  const bySystem = new Map(data.systems.map((s) => [s.systemId, rowsOf(data, s.systemId)]));
  const rows = data.dates
    .filter((d) => data.systems.some((s) => bySystem.get(s.systemId)!.has(d)))
    .map(
      (d) =>
        `<tr data-date="${d}"><th scope="row">${d}</th>${data.systems
          .map((s) => `<td class="num" data-k="${k}" data-system="${esc(s.systemId)}">${esc(cell(bySystem.get(s.systemId)!.get(d), d, s.systemId))}</td>`)
          .join('')}</tr>`,
    );
  return table(caption, ['date', ...data.systems.map((s) => s.systemId)], rows, id);
}

const CSS = `
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:0;background:#fff}
main{max-width:1120px;margin:0 auto;padding:16px 20px 48px}
h1{font-size:22px;margin:8px 0 4px} h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:15px;margin:24px 0 4px} small{color:#555;font-weight:normal}
p.meta{color:#444;margin:2px 0} nav a{margin-right:12px}
figure.chart{margin:8px 0;border:1px solid #e3e3e3;border-radius:4px}
figure.chart svg{width:100%;height:auto;display:block}
.scroll{overflow:auto;max-height:420px;margin:4px 0 12px;border:1px solid #eee}
table{border-collapse:collapse;font-size:12px;width:100%}
caption{text-align:left;color:#444;padding:4px 6px;caption-side:top}
th,td{padding:3px 5px;border-bottom:1px solid #eee;white-space:nowrap}
#summary td.txt{white-space:normal}
tr.why td{white-space:normal;color:#444;padding-left:24px;border-bottom:1px solid #ddd}
thead th{position:sticky;top:0;background:#f6f6f6;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums} td.txt{text-align:left}
tbody th{text-align:left;font-weight:600}
.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px;border:1px solid #999}
.legend span{margin-right:14px}
`;

/** The whole page. Pure (given the data). */
export function renderReportHtml(data: ReportData): string {
  const cum = cumulativeUnits(data);
  const events = data.eventsAvailable
    ? data.events.length
      ? `<ul>${data.events.map((e) => `<li data-event="${esc(e.kind)}">${e.date} <b>${esc(e.kind)}</b> ${esc(e.system_id)}${e.detail ? `: ${esc(e.detail)}` : ''}</li>`).join('')}</ul>`
      : '<p>No registry events in this range.</p>'
    : '<p>No registry-event source is configured, so promotions and retirements are not marked.</p>';
  const noData = data.systems.length === 0 ? `<p><b>No graded rows or monitor rows in ${data.fromDate}..${data.toDate}.</b> Run <code>grade</code> and <code>monitor</code> for these dates.</p>` : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Champion vs challengers ${data.fromDate}..${data.toDate}</title><style>${CSS}</style></head>
<body><main>
<h1>Champion vs challengers</h1>
<p class="meta">Game dates ${data.fromDate}..${data.toDate} · champion <b>${esc(data.championId)}</b> ${swatch(data.systems[0]?.colour ?? '#000')}(always black) · generated ${esc(data.generatedAt)} · data: ${esc(data.source)}</p>
<p class="meta">Breakeven ${BREAKEVEN_HIT_RATE_PCT}% at -110. HR = wins / (wins + losses); pushes and voids excluded. States use the ${STATE_RULE.basisWindowDays}-day edge-3+ hit rate with at least ${STATE_RULE.minDecidedBets} decided bets (HEALTHY ≥ ${STATE_RULE.healthyAtOrAbovePct}, WATCH ≥ ${STATE_RULE.watchAtOrAbovePct}, DEGRADING ≥ ${STATE_RULE.breakevenPct}, BLOCKED below).</p>
<nav><a href="#summary-h">Summary</a><a href="#hit-rate-h">Hit rate</a><a href="#units-h">Units</a><a href="#mae-h">MAE</a><a href="#pvl-h">PVL</a><a href="#coverage-h">Coverage</a><a href="#state-h">States</a><a href="#events-h">Events</a></nav>
${noData}
<h2 id="summary-h">Summary</h2>
${summaryTable(data)}
${verdictTable(data)}
<h2 id="hit-rate-h">Hit rate per system</h2>
${data.systems.map((s) => hitRateSection(data, s)).join('\n')}
<h2 id="units-h">Cumulative units</h2>
${figure(unitsChart(data))}
${matrix(data, 'table-units', 'Cumulative units won per system (1 unit per bet at -110).', 'cumulative_units', (r, d, id) => (r ? fmt(cum.get(id)!.get(d)!, 2) : '-'))}
<h2 id="mae-h">MAE per day</h2>
${figure(maeChart(data))}
${matrix(data, 'table-mae', 'Mean absolute error per day, points (rows whose player played).', 'mae_points', (r) => fmt(r?.mae_points, 2))}
<h2 id="pvl-h">PVL per day</h2>
${figure(pvlChart(data))}
${matrix(data, 'table-pvl', 'Mean predicted - line per day, points (rows with a real book line).', 'pvl_points', (r) => fmt(r?.pvl_points, 2))}
<h2 id="coverage-h">Coverage per day</h2>
${figure(coverageChart(data))}
${matrix(data, 'table-coverage', 'Prediction rows per system per day and the coverage status (STARVED: < 50% of the champion; MISSING: none).', 'coverage', (r) => (r ? `${r.predicted_rows} ${r.coverage_status}` : '-'))}
<h2 id="state-h">State timeline</h2>
${figure(stateChart(data))}
<p class="legend">${STATE_LEGEND.map((l) => `<span>${swatch(l.colour)}${l.state}</span>`).join('')}</p>
${matrix(data, 'table-state', 'State per day (transitions in brackets).', 'state', (r) => (r ? `${r.state}${r.action === 'NO_CHANGE' ? '' : ` (${r.action})`}` : '-'))}
<h2 id="events-h">Registry events</h2>
${events}
</main></body></html>
`;
}
