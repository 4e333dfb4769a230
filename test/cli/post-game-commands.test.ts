/**
 * The post-game CLI commands (grade, signals, picks, compare) as wiring: flags → job → stdout
 * table, stderr progress, usage errors. Storage is an injected in-memory DuckDB.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDuckDbStorage } from '../../src/storage/duckdb/index.js';
import type { Storage } from '../../src/storage/storage.js';
import { loadConfig } from '../../config/env.js';
import { isPwError } from '../../src/errors.js';
import type { CliIo } from '../../src/cli/io.js';
import * as grade from '../../src/cli/commands/grade.js';
import * as signals from '../../src/cli/commands/signals.js';
import * as picks from '../../src/cli/commands/picks.js';
import * as compare from '../../src/cli/commands/compare.js';
import { actualRow, predictionRow } from '../helpers/post-game-rows.js';

const CHAL = 'catboost_v9_train1102_0215';
const D1 = '2026-02-10';
const D2 = '2026-02-11';
const now = new Date('2026-02-12T10:00:00.000Z');

let storage: Storage;
let out: string;
let err: string;
const io: CliIo = { out: (s) => void (out += s), err: (s) => void (err += s), env: {}, cwd: process.cwd() };
const deps = () => ({ storage, now, config: loadConfig({ PUSH_AUTH: 'off' }) });

beforeEach(async () => {
  out = '';
  err = '';
  storage = await openDuckDbStorage({ path: ':memory:' });
  for (const date of [D1, D2]) {
    const rows = [];
    for (let i = 0; i < 6; i++) {
      const player = `p${i}`;
      // the challenger's system_id sorts before the champion's: the table must still start with the champion
      rows.push(predictionRow({ game_date: date, player_lookup: player, predicted_points: 25, line_value: 20.5 }));
      rows.push(predictionRow({ game_date: date, system_id: CHAL, model_role: 'challenger', player_lookup: player, predicted_points: 16, line_value: 20.5 }));
    }
    await storage.predictions.write(rows);
    await storage.actuals.upsert([0, 1, 2, 3, 4, 5].map((i) => actualRow({ game_date: date, player_lookup: `p${i}`, points: i < 4 ? 15 : 25 })));
  }
});
afterEach(async () => {
  await storage.close();
});

describe('post-game commands', () => {
  it('grade over a range: progress on stderr, one per-system table (champion first) on stdout', async () => {
    expect(await grade.run(['--game-date', D1, '--to', D2], io, deps())).toBe(0);
    expect(err).toContain(`graded ${D1} (1/2)`);
    expect(err).toContain(`graded ${D2} (2/2)`);
    const lines = out.trim().split('\n');
    expect(lines[0]).toContain(`${D1}..${D2}`);
    expect(lines[1]).toMatch(/^system_id\s+role/);
    expect(lines[2]).toMatch(/^catboost_v9\s+champion\s+12\s+12\s+4\s+8\b/); // OVER wins when 25 scored: 2/day
    expect(lines[3]).toMatch(new RegExp(`^${CHAL}\\s+challenger\\s+12\\s+12\\s+8\\s+4\\b`));
  });

  it('signals prints one row per system plus explanations', async () => {
    expect(await signals.run(['--game-date', D1, '--slate-games', '8'], io, deps())).toBe(0);
    expect(out).toMatch(/\ncatboost_v9\s+champion\s+INSUFFICIENT_DATA\s+6\b/);
    expect(out).toContain('minimum 10');
  });

  it('picks dry run shows champion picks only and does not send', async () => {
    expect(await picks.run(['--game-date', D1], io, deps())).toBe(0);
    expect(out).toContain('1. p0 — OVER 20.5 pts / edge +4.5 | conf 85');
    expect(out).not.toContain('UNDER');
    expect(out).toContain('not sent');
  });

  it('picks --send without a webhook is an error', async () => {
    const e = await picks.run(['--game-date', D1, '--send'], io, deps()).catch((x: unknown) => x);
    expect(isPwError(e, 'PW_ERR_JOB_INPUT')).toBe(true);
  });

  it('compare prints both models with N and a verdict', async () => {
    await grade.run(['--game-date', D1, '--to', D2], io, deps());
    out = '';
    expect(await compare.run([CHAL, '--days', '2', '--to', D2], io, deps())).toBe(0);
    expect(out).toContain(`compare ${CHAL} vs catboost_v9, ${D1}..${D2} (2 game days`);
    expect(out).toMatch(/HR all\s+66\.7% \(N=12\)\s+33\.3% \(N=12\)/);
    // two game days: the verdict rule (src/lifecycle/verdict.ts) decides nothing yet, and says so
    expect(out).toContain('VERDICT: NOT YET DECIDED (2 game day(s) of matched graded rows; a verdict needs at least 5');
    expect(out).toContain('note: trailing 2-day window');
  });

  it('usage errors are PW_ERR_CLI_USAGE', async () => {
    for (const [cmd, argv] of [
      [grade, ['--game-date', '2026-13-01']],
      [grade, ['--game-date', D2, '--to', D1]],
      [compare, []],
      [compare, [CHAL, '--days', '0']],
      [signals, ['--game-date', D1, '--bogus']],
    ] as const) {
      const e = await cmd.run([...argv], io, deps()).catch((x: unknown) => x);
      expect(isPwError(e, 'PW_ERR_CLI_USAGE')).toBe(true);
    }
  });
});
