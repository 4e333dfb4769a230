/**
 * The demo end to end, in-process: `demo season` over a few days runs the real HTTP worker
 * (champion + the registry's challengers) on loopback, grades, computes signals and posts picks
 * to its local Slack receiver; `demo seed` fills a feature store and prints request payloads.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/index.js';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import { enabledEntries, parseRegistry } from '../../config/registry.js';
import { MONTHLY_MODELS } from '../../config/monthly-models.js';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'pw-demo-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(argv: string[], env: Record<string, string> = {}) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (s) => void (out += s), err: (s) => void (err += s), env: { WORKER_DATA_DIR: tmp, ...env }, cwd: ROOT });
  return { code, out, err };
}

describe('demo', () => {
  it('season: every player through the HTTP worker, graded per system, picks posted once a day', async () => {
    const dataDir = join(tmp, 'season');
    const { code, out, err } = await cli(['demo', 'season', '--days', '3', '--start-date', '2026-03-02', '--data-dir', dataDir]);
    expect(err).not.toMatch(/warning: .* were not written/);
    expect(code).toBe(0);

    const systems = ['catboost_v9', ...enabledEntries(parseRegistry(MONTHLY_MODELS)).map(([id]) => id)];
    const table = out.slice(out.indexOf('system_id'), out.indexOf('\n\n'));
    const lines = table.trim().split('\n').slice(1);
    const listed = lines.map((l) => l.split(/\s+/)[0]);
    expect(listed[0]).toBe('catboost_v9'); // champion first, then every enabled challenger
    expect([...listed].sort()).toEqual([...systems].sort());
    expect(lines[0]).toMatch(/^catboost_v9\s+champion\s+\d+\s+\d+\.\d\d\s+\d+\.\d\s/);
    expect(out).toContain('Slack messages received: 3');
    expect(readdirSync(join(dataDir, 'slack'))).toHaveLength(3);

    // What the table says is what storage holds: each system graded on the same players.
    const storage = await openDuckDbStorage({ path: join(dataDir, 'prediction-worker.duckdb') });
    try {
      const graded = await storage.accuracy.forRange('2026-03-02', '2026-03-04');
      const perSystem = new Map<string, number>();
      for (const r of graded) perSystem.set(r.system_id, (perSystem.get(r.system_id) ?? 0) + 1);
      expect([...perSystem.keys()].sort()).toEqual([...systems].sort());
      expect(new Set(perSystem.values()).size).toBe(1);
      const outcomes = await storage.outcomes.forDate('2026-03-03');
      expect(outcomes.length).toBeGreaterThan(0);
      expect(outcomes.every((o) => o.outcome === 'written' && o.rows_written === systems.length)).toBe(true);
      // the monitor job ran each day, and the demo ends with the report's path
      const monitored = await storage.performance.forRange('2026-03-02', '2026-03-04');
      expect(monitored).toHaveLength(3 * systems.length);
      expect(out).toContain(`Report (open in a browser): ${join(dataDir, 'report.html')}`);
      expect(readFileSync(join(dataDir, 'report.html'), 'utf8')).toContain('data-chart="hit-rate-catboost_v9"');
    } finally {
      await storage.close();
    }
  }, 120_000);

  it('seed: fills the embedded feature store and prints one request payload per player', async () => {
    const env = { WORKER_DATA_DIR: join(tmp, 'seed') };
    const { code, out } = await cli(['demo', 'seed', '--game-date', '2026-03-10'], env);
    expect(code).toBe(0);
    const payloads = out.trim().split('\n').map((l) => JSON.parse(l) as { player_lookup: string; game_date: string; game_id: string });
    expect(payloads.length).toBeGreaterThan(50);
    expect(payloads.every((p) => p.game_date === '2026-03-10' && p.player_lookup && p.game_id)).toBe(true);
    const dbPath = join(tmp, 'seed', 'prediction-worker.duckdb');
    expect(existsSync(dbPath)).toBe(true);
    const storage = await openDuckDbStorage({ path: dbPath });
    try {
      const slate = await storage.features.loadSlate('2026-03-10');
      expect(slate.map((r) => r.player_lookup).sort()).toEqual(payloads.map((p) => p.player_lookup).sort());
    } finally {
      await storage.close();
    }
  });

  it('seed gives each date its own slate; actuals loads that slate\'s box scores so the day can be graded', async () => {
    const env = { WORKER_DATA_DIR: join(tmp, 'curl-day') };
    const a = await cli(['demo', 'seed', '--game-date', '2026-03-10'], env);
    const b = await cli(['demo', 'seed', '--game-date', '2026-03-11'], env);
    const games = (o: string) => new Set(o.trim().split('\n').map((l) => (JSON.parse(l) as { game_id: string }).game_id.slice(9)));
    const lines = (o: string) => o.trim().split('\n').map((l) => JSON.stringify({ ...(JSON.parse(l) as object), game_date: 'x', game_id: 'x' }));
    // Not the same slate re-dated (it used to be: every date got day 1 of a fresh season).
    expect(lines(a.out)).not.toEqual(lines(b.out));
    expect([...games(a.out)].sort()).not.toEqual([...games(b.out)].sort());
    // Re-seeding a date gives the same slate.
    expect((await cli(['demo', 'seed', '--game-date', '2026-03-10'], env)).out).toBe(a.out);

    const actuals = await cli(['demo', 'actuals', '--game-date', '2026-03-10'], env);
    expect(actuals.code).toBe(0);
    expect(actuals.out).toContain('grade --game-date 2026-03-10');
    const storage = await openDuckDbStorage({ path: join(tmp, 'curl-day', 'prediction-worker.duckdb') });
    try {
      const box = await storage.actuals.forDate('2026-03-10');
      const seeded = a.out.trim().split('\n').map((l) => JSON.parse(l) as { player_lookup: string; game_id: string });
      expect(box.map((r) => `${r.player_lookup}|${r.game_id}`).sort()).toEqual(seeded.map((p) => `${p.player_lookup}|${p.game_id}`).sort());
    } finally {
      await storage.close();
    }
  });

  it('season --continue adds days to the season instead of wiping it', async () => {
    const dataDir = join(tmp, 'season-continue');
    expect((await cli(['demo', 'season', '--days', '1', '--start-date', '2026-03-02', '--data-dir', dataDir])).code).toBe(0);
    const { code, out, err } = await cli(['demo', 'season', '--continue', '--days', '1', '--data-dir', dataDir]);
    expect(code).toBe(0);
    expect(err).toContain('continuing (1 days done): 1 days from 2026-03-03');
    expect(out).toContain('Season 2026-03-02..2026-03-03');
    const storage = await openDuckDbStorage({ path: join(dataDir, 'prediction-worker.duckdb') });
    try {
      const graded = await storage.accuracy.forRange('2026-03-02', '2026-03-03');
      expect(new Set(graded.map((r) => r.game_date))).toEqual(new Set(['2026-03-02', '2026-03-03']));
    } finally {
      await storage.close();
    }
    // The added day is the day a single longer season would have played (the same simulated
    // season, 49 history days before the demo included): slate and box scores alike.
    const straightDir = join(tmp, 'season-straight');
    expect((await cli(['demo', 'season', '--days', '2', '--start-date', '2026-03-02', '--data-dir', straightDir])).code).toBe(0);
    const day2 = async (dir: string) => {
      const s = await openDuckDbStorage({ path: join(dir, 'prediction-worker.duckdb') });
      try {
        const slate = (await s.features.loadSlate('2026-03-03')).map((r) => JSON.stringify(r)).sort();
        const box = (await s.actuals.forDate('2026-03-03')).map((r) => `${r.player_lookup}|${r.game_id}|${r.points}`).sort();
        return { slate, box };
      } finally {
        await s.close();
      }
    };
    const continued = await day2(dataDir);
    expect(continued.box.length).toBeGreaterThan(0);
    expect(continued).toEqual(await day2(straightDir));

    const refused = await cli(['demo', 'season', '--continue', '--data-dir', join(tmp, 'no-season')]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('no season to continue');
  }, 120_000);

  it('refuses bad flags with a usage error', async () => {
    const { code, err } = await cli(['demo', 'season', '--days', 'many']);
    expect(code).toBe(2);
    expect(err).toContain('--days must be a positive integer');
  });
});
