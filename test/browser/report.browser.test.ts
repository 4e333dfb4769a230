/// <reference lib="dom" />
/**
 * The dashboard and the static report in a real browser (headless Chromium through
 * playwright-core): every system has its charts with data points, the tables' numbers equal the
 * metrics module's, registry events are marked, the page fits a laptop screen, and screenshots
 * are saved to test-artifacts/ (gitignored). Skipped, saying why, only when no Chromium exists.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from './chromium.js';
import { skipWithout } from '../helpers/machine.js';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import type { Storage } from '../../src/storage/storage.js';
import type { PredictionAccuracyRow } from '../../src/storage/tables/prediction-accuracy.js';
import { runMonitorJob } from '../../src/jobs/monitor-job.js';
import { dateRange } from '../../src/jobs/format.js';
import { computeMetrics, fmt, unitsWon } from '../../src/metrics/metrics.js';
import { wilsonInterval } from '../../src/metrics/wilson.js';
import { loadReportData } from '../../src/report/data.js';
import { renderReportHtml } from '../../src/report/html.js';
import { startDashboard } from '../../src/report/server.js';
import type { RegistryEventSource } from '../../src/report/events.js';
import { gradedDay, outcomeRow, predictionRows } from '../helpers/monitoring-rows.js';

const CHROMIUM = findChromium();
const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');
const CHAMP = 'catboost_v9';
const SYSTEMS = [CHAMP, 'cb_deep', 'cb_q43'];
const DATES = dateRange('2026-02-01', '2026-02-12');
const EVENTS: RegistryEventSource = { forRange: async () => [{ date: '2026-02-06', system_id: 'cb_deep', kind: 'promoted', detail: 'test event' }] };
const CHARTS = ['units', 'mae', 'pvl', 'coverage', 'state'];

// Machine-dependent (test/helpers/machine.ts): skipped with one stderr line when no Chromium exists;
// with PW_FULL_SUITE=1 (.ci/run installs Debian's chromium) a missing browser fails loudly.
const SKIP = skipWithout('chromium (browser tests)', CHROMIUM !== undefined, 'set CHROMIUM_PATH, or apt-get install chromium');

describe.skipIf(SKIP)('dashboard and report in headless Chromium', () => {
  let dir: string;
  let storage: Storage;
  let browser: Browser;
  let graded: PredictionAccuracyRow[];
  let reportFile: string;
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pw-report-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    storage = await openDuckDbStorage({ path: join(dir, 'report.duckdb') });
    graded = [];
    for (const [i, date] of DATES.entries()) {
      // different records per system and day; the q43 challenger is starved on the last days
      const rows = [
        ...gradedDay(CHAMP, date, { wins: 20 + (i % 4), losses: 15 + (i % 3), pushes: i % 2, voids: i % 3 === 0 ? 1 : 0, edge3Wins: 8, edge3Losses: 5, passes: 4 }),
        ...gradedDay('cb_deep', date, { wins: 18 + (i % 5), losses: 17, pushes: 1, edge3Wins: 6 + (i % 3), edge3Losses: 6, passes: 2 }),
        ...gradedDay('cb_q43', date, { wins: 12, losses: 14 + (i % 4), edge3Wins: 4, edge3Losses: 7 }),
      ];
      graded.push(...rows);
      await storage.accuracy.replaceDate(date, rows);
      const q43Rows = i >= 10 ? 10 : 40;
      await storage.predictions.write([...predictionRows(CHAMP, date, 40), ...predictionRows('cb_deep', date, 40), ...predictionRows('cb_q43', date, q43Rows)]);
      await storage.outcomes.record(outcomeRow(date, `m-${date}`, SYSTEMS));
      await runMonitorJob({ storage, gameDate: date, championSystemId: CHAMP, expectedSystemIds: SYSTEMS, trainingEndBySystem: { cb_deep: '2026-01-20', cb_q43: '2026-01-25' }, now: new Date(`${date}T12:00:00Z`) });
    }
    const data = await loadReportData(storage, { fromDate: DATES[0]!, toDate: DATES.at(-1)!, championId: CHAMP, now: new Date('2026-02-13T08:00:00Z'), events: EVENTS });
    reportFile = join(dir, 'report.html');
    writeFileSync(reportFile, renderReportHtml(data));
    dashboard = await startDashboard({ storage, championId: CHAMP, fromDate: DATES[0]!, toDate: DATES.at(-1)!, events: EVENTS });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await storage?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(url: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // the static report must not need the network: fail any request that is not the page itself
    await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const res = await page.goto(url);
    expect(res?.status() ?? 200).toBe(200);
    expect(requests).toEqual([url]);
    return page;
  }

  /** Data points the system's series drew in one chart (ECharts SSR marks each with ecmeta_series_index). */
  async function pointsOf(page: Page, chartId: string, systemId: string): Promise<number> {
    return page.evaluate(
      ([id, sys]) => {
        const fig = document.querySelector(`figure[data-chart="${id}"]`);
        if (!fig) return -1;
        const series = JSON.parse(fig.getAttribute('data-series') ?? '[]') as Array<string | null>;
        let n = 0;
        series.forEach((s, i) => {
          if (s === sys) n += fig.querySelectorAll(`[ecmeta_series_index="${i}"]`).length;
        });
        return n;
      },
      [chartId, systemId] as const,
    );
  }

  async function cell(page: Page, selector: string): Promise<string> {
    return ((await page.locator(selector).first().textContent()) ?? '').trim();
  }

  for (const where of ['report', 'dashboard'] as const) {
    it(`${where}: every system has its charts with data points`, async () => {
      const page = await open(where === 'report' ? `file://${reportFile}` : dashboard.url);
      for (const sys of SYSTEMS) {
        expect(await pointsOf(page, `hit-rate-${sys}`, sys), `hit-rate-${sys}`).toBeGreaterThanOrEqual(DATES.length);
        for (const chart of CHARTS) expect(await pointsOf(page, chart, sys), `${chart} / ${sys}`).toBeGreaterThanOrEqual(DATES.length);
      }
      // the registry event is marked on the time axis and listed
      expect(await page.locator('figure[data-chart="units"] svg').innerHTML()).toContain('promoted: cb_deep');
      expect(await page.locator('[data-event="promoted"]').count()).toBe(1);
      // readable at laptop width: nothing wider than the viewport
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
      await page.screenshot({ path: join(ARTIFACTS, `${where}-top.png`) });
      await page.screenshot({ path: join(ARTIFACTS, `${where}-full.png`), fullPage: true });
      await page.close();
    });

    it(`${where}: table numbers equal the metrics module's`, async () => {
      const page = await open(where === 'report' ? `file://${reportFile}` : dashboard.url);
      for (const sys of SYSTEMS) {
        const m = computeMetrics(graded.filter((r) => r.system_id === sys));
        const row = `#summary tr[data-system="${sys}"]`;
        expect(await cell(page, `${row} [data-k="bets"]`)).toBe(String(m.all.n_bets));
        expect(await cell(page, `${row} [data-k="wins"]`)).toBe(String(m.all.wins));
        expect(await cell(page, `${row} [data-k="losses"]`)).toBe(String(m.all.losses));
        expect(await cell(page, `${row} [data-k="pushes"]`)).toBe(String(m.all.pushes));
        expect(await cell(page, `${row} [data-k="hit_rate_pct"]`)).toBe(fmt(m.all.hit_rate_pct));
        const ci = wilsonInterval(m.all.wins, m.all.n_decided)!;
        expect(await cell(page, `${row} [data-k="hit_rate_interval"]`)).toBe(`${fmt(ci.lowPct)}–${fmt(ci.highPct)}`);
        expect(await cell(page, `${row} [data-k="mae_points"]`)).toBe(fmt(m.mae_points, 2));
        expect(await cell(page, `${row} [data-k="pvl_points"]`)).toBe(fmt(m.mean_pvl_points, 2));
        expect(await cell(page, `${row} [data-k="units_won"]`)).toBe(fmt(unitsWon(m.all), 2));
        let cumulative = 0;
        for (const date of DATES) {
          const day = computeMetrics(graded.filter((r) => r.system_id === sys && r.game_date === date));
          const dayRow = `#table-hit-rate-${sys} tr[data-date="${date}"]`;
          expect(await cell(page, `${dayRow} [data-k="bets"]`)).toBe(String(day.all.n_bets));
          expect(await cell(page, `${dayRow} [data-k="hit_rate_pct"]`)).toBe(fmt(day.all.hit_rate_pct));
          expect(await cell(page, `#table-mae tr[data-date="${date}"] [data-system="${sys}"]`)).toBe(fmt(day.mae_points, 2));
          expect(await cell(page, `#table-pvl tr[data-date="${date}"] [data-system="${sys}"]`)).toBe(fmt(day.mean_pvl_points, 2));
          cumulative += unitsWon(day.all);
          expect(await cell(page, `#table-units tr[data-date="${date}"] [data-system="${sys}"]`)).toBe(fmt(cumulative, 2));
        }
      }
      // the starved challenger shows as STARVED on the days it was starved
      expect(await cell(page, `#table-coverage tr[data-date="${DATES.at(-1)}"] [data-system="cb_q43"]`)).toBe('10 STARVED');
      await page.close();
    });
  }
});
