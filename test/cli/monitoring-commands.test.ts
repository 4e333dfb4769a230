/**
 * `monitor`, `report` and `dashboard` through the CLI entry point against an embedded file:
 * monitor is idempotent over a range, report writes one self-contained HTML file (no script, no
 * external resource) and prints its path, dashboard serves the same view on loopback.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { run as dashboard } from '../../src/cli/commands/dashboard.js';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { loadConfig } from '../../config/env.js';
import { dateRange } from '../../src/jobs/format.js';
import { CHAMPION_SYSTEM_ID, enabledEntries, parseRegistry } from '../../config/registry.js';
import { MONTHLY_MODELS } from '../../config/monthly-models.js';
import { gradedDay, outcomeRow, predictionRows } from '../helpers/monitoring-rows.js';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'pw-monitor-cli-'));
const DATES = dateRange('2026-02-01', '2026-02-04');
const SYSTEMS = [CHAMPION_SYSTEM_ID, ...enabledEntries(parseRegistry(MONTHLY_MODELS)).map(([id]) => id)];

async function cli(argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s), env: { WORKER_DATA_DIR: tmp }, cwd: ROOT });
  return { code, out, err };
}

beforeAll(async () => {
  const storage = await openDuckDbStorage({ path: join(tmp, 'prediction-worker.duckdb') });
  try {
    for (const date of DATES) {
      await storage.accuracy.replaceDate(date, SYSTEMS.flatMap((id, i) => gradedDay(id, date, { wins: 10 + i, losses: 8, edge3Wins: 5, edge3Losses: 3 })));
      await storage.predictions.write(SYSTEMS.flatMap((id) => predictionRows(id, date, 20)));
      await storage.outcomes.record(outcomeRow(date, `m-${date}`, SYSTEMS));
    }
  } finally {
    await storage.close();
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('monitor, report and dashboard commands', () => {
  it('monitor over a range, twice, leaves the same rows', async () => {
    const first = await cli(['monitor', '--game-date', DATES[0]!, '--to', DATES.at(-1)!]);
    expect(first.code).toBe(0);
    expect(first.out).toContain(`monitor ${DATES.at(-1)}`);
    for (const id of SYSTEMS) expect(first.out).toContain(id);
    const read = async () => {
      const s = await openDuckDbStorage({ path: join(tmp, 'prediction-worker.duckdb'), readOnly: true });
      try {
        return (await s.performance.forRange(DATES[0]!, DATES.at(-1)!)).map(({ calculated_at: _c, ...r }) => r);
      } finally {
        await s.close();
      }
    };
    const before = await read();
    expect(before).toHaveLength(DATES.length * SYSTEMS.length);
    expect((await cli(['monitor', '--game-date', DATES[0]!, '--to', DATES.at(-1)!])).code).toBe(0);
    expect(await read()).toEqual(before);
    expect((await cli(['monitor', '--game-date', '2026-02-05', '--to', '2026-02-01'])).code).toBe(2);
  });

  it('report writes one self-contained HTML file and prints its path', async () => {
    const file = join(tmp, 'out', 'report.html');
    const r = await cli(['report', '--out', file, '--from', DATES[0]!, '--to', DATES.at(-1)!]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(file);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i);
    // ids are unique across the inlined SVGs (url(#id) resolves to the first match in the page)
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html).not.toMatch(/(src|href)="https?:/i);
    for (const id of SYSTEMS) expect(html).toContain(`data-chart="hit-rate-${id}"`);
    expect((await cli(['report', '--from', DATES[0]!])).code).toBe(2); // --out is required
    expect((await cli(['report', '--out', file, '--from', DATES[0]!, '--days', '3'])).code).toBe(2);
  });

  it('dashboard serves the same view on loopback until stopped', async () => {
    let stop!: () => void;
    const until = new Promise<void>((ok) => (stop = ok));
    let out = '';
    const done = dashboard(['--port', '0', '--from', DATES[0]!, '--to', DATES.at(-1)!], { out: (s) => void (out += s), err: () => undefined, env: {}, cwd: ROOT }, {
      config: loadConfig({ PUSH_AUTH: 'off', WORKER_DATA_DIR: tmp }),
      until,
    });
    while (!out.includes('http://')) await new Promise((r) => setTimeout(r, 20));
    const url = out.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    for (const id of SYSTEMS) expect(html).toContain(`data-chart="hit-rate-${id}"`);
    expect((await fetch(`${url}?from=2026-02-03&to=2026-02-01`)).status).toBe(400);
    expect((await fetch(`${url}healthz`)).status).toBe(200);
    stop();
    expect(await done).toBe(0);
  });
});
