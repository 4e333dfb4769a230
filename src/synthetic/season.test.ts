import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NULLABLE_FEATURES, V9_FEATURE_INDEX, V9_FEATURE_NAMES, type V9FeatureName } from '../features/contract.js';
import { featureStoreTable } from '../storage/tables/feature-store.js';
import { playerGameSummaryTable } from '../storage/tables/player-game-summary.js';
import { trainingCsv } from './csv.js';
import { PLAYERS_PER_TEAM, TEAM_ABBRS, generateLeague } from './league.js';
import { actualsRows, featureStoreRows, requestPayloads } from './rows.js';
import { generateSeason, trainingRows } from './season.js';

const season = generateSeason({ seed: 11, startDate: '2025-10-21', days: 30 });
const playerGames = season.days.flatMap((d) => d.playerGames);
const column = (name: V9FeatureName) => playerGames.map((pg) => pg.features[V9_FEATURE_INDEX[name]]);
const present = (name: V9FeatureName) => column(name).filter((v) => !Number.isNaN(v));
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('generateLeague', () => {
  const league = generateLeague(11);

  it('has the 30 NBA teams with 13 players each and unique lower-case player keys', () => {
    expect(league.teams.map((t) => t.abbr)).toEqual([...TEAM_ABBRS]);
    expect(league.players).toHaveLength(30 * PLAYERS_PER_TEAM);
    const keys = league.players.map((p) => p.playerLookup);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).toMatch(/^[a-z0-9]+$/);
  });

  it('gives every player a shot profile whose shares sum to at most 1', () => {
    for (const p of league.players) {
      const s = p.shotProfile;
      expect(s.paint + s.midRange + s.three + s.freeThrow).toBeLessThanOrEqual(1);
      expect(Math.min(s.paint, s.midRange, s.three, s.freeThrow)).toBeGreaterThan(0);
    }
  });
});

describe('generateSeason determinism', () => {
  it('same seed gives identical bytes; another seed differs', () => {
    const again = generateSeason({ seed: 11, startDate: '2025-10-21', days: 30 });
    expect(sha(JSON.stringify(again))).toBe(sha(JSON.stringify(season)));
    const other = generateSeason({ seed: 12, startDate: '2025-10-21', days: 30 });
    expect(sha(JSON.stringify(other))).not.toBe(sha(JSON.stringify(season)));
  });

  it('training CSV is byte-identical for the same seed and rows', () => {
    const a = trainingCsv(trainingRows({ seed: 5, rows: 400 }));
    expect(sha(trainingCsv(trainingRows({ seed: 5, rows: 400 })))).toBe(sha(a));
    expect(sha(trainingCsv(trainingRows({ seed: 6, rows: 400 })))).not.toBe(sha(a));
  });
});

describe('generateSeason schedule', () => {
  it('plays 5–12 games a day with each team at most once', () => {
    expect(season.days).toHaveLength(30);
    for (const day of season.days) {
      expect(day.games.length).toBeGreaterThanOrEqual(5);
      expect(day.games.length).toBeLessThanOrEqual(12);
      const teams = day.games.flatMap((g) => [g.homeTeam, g.awayTeam]);
      expect(new Set(teams).size).toBe(teams.length);
      for (const g of day.games) expect(g.gameId).toBe(`${day.date.replaceAll('-', '')}_${g.awayTeam}_${g.homeTeam}`);
    }
    expect(season.days.map((d) => d.date).slice(0, 3)).toEqual(['2025-10-21', '2025-10-22', '2025-10-23']);
  });

  it('has one row per rostered player of each team that plays', () => {
    for (const day of season.days) expect(day.playerGames).toHaveLength(day.games.length * 2 * PLAYERS_PER_TEAM);
  });
});

describe('generateSeason features', () => {
  it('has 33 features per row and NaN only in the columns the contract allows', () => {
    const problems: string[] = [];
    for (const pg of playerGames) {
      if (pg.features.length !== V9_FEATURE_NAMES.length) problems.push(`${pg.playerLookup}: ${pg.features.length} features`);
      pg.features.forEach((v, i) => {
        const name = V9_FEATURE_NAMES[i];
        if (Number.isNaN(v) ? !NULLABLE_FEATURES.has(name) : !Number.isFinite(v)) problems.push(`${pg.playerLookup} ${name}=${v}`);
      });
    }
    expect(problems).toEqual([]);
    // Both kinds of missingness actually occur.
    expect(present('pct_paint').length).toBeLessThan(playerGames.length);
    expect(present('vegas_points_line').length).toBeLessThan(playerGames.length);
  });

  it('keeps values in realistic ranges', () => {
    const within = (name: V9FeatureName, lo: number, hi: number) => {
      const xs = present(name);
      expect(Math.min(...xs), name).toBeGreaterThanOrEqual(lo);
      expect(Math.max(...xs), name).toBeLessThanOrEqual(hi);
    };
    within('points_avg_season', 0, 60);
    within('points_avg_last_5', 0, 80);
    within('points_avg_last_10', 0, 80);
    within('fatigue_score', 0, 100);
    within('opponent_def_rating', 105, 120);
    within('opponent_pace', 95, 105);
    within('team_pace', 95, 105);
    within('team_win_pct', 0, 1);
    within('minutes_avg_last_10', 0, 48);
    within('injury_risk', 0, 1);
    for (const flag of ['home_away', 'back_to_back', 'playoff_game', 'has_vegas_line'] as const) {
      expect(new Set(present(flag)).size <= 2 && present(flag).every((v) => v === 0 || v === 1), flag).toBe(true);
    }
    const b2b = present('back_to_back');
    const b2bShare = b2b.reduce((a, b) => a + b, 0) / b2b.length;
    expect(b2bShare).toBeGreaterThan(0.05);
    expect(b2bShare).toBeLessThan(0.35);
  });

  it('keeps shot-zone shares summing to at most 1', () => {
    const bad = playerGames.filter((pg) => {
      const [paint, mid, three, ft] = (['pct_paint', 'pct_mid_range', 'pct_three', 'pct_free_throw'] as const).map(
        (n) => pg.features[V9_FEATURE_INDEX[n]],
      );
      if (Number.isNaN(paint)) return !(Number.isNaN(mid) && Number.isNaN(three));
      return !(paint + mid + three + ft <= 1);
    });
    expect(bad).toEqual([]);
  });

  it('derives ppm from points and minutes and keeps the averages near each other', () => {
    const bad = playerGames.filter((pg) => {
      const f = (n: V9FeatureName) => pg.features[V9_FEATURE_INDEX[n]];
      return (
        !(Math.abs(f('recent_trend') - (f('points_avg_last_5') - f('points_avg_last_10'))) < 0.011) ||
        !(Math.abs(f('ppm_avg_last_10') * f('minutes_avg_last_10') - f('points_avg_last_10')) < 0.1)
      );
    });
    expect(bad).toEqual([]);
  });

  it('publishes Vegas features consistent with the line, and about 15 % of players without one', () => {
    const bad = playerGames.filter((pg) => {
      const f = (n: V9FeatureName) => pg.features[V9_FEATURE_INDEX[n]];
      if (pg.line === null) {
        return f('has_vegas_line') !== 0 || ![f('vegas_points_line'), f('vegas_opening_line'), f('vegas_line_move')].every(Number.isNaN);
      }
      return (
        f('has_vegas_line') !== 1 ||
        f('vegas_points_line') !== pg.line.line ||
        f('vegas_opening_line') !== pg.line.opening ||
        !Number.isInteger(pg.line.line * 2) ||
        f('vegas_line_move') !== pg.line.line - pg.line.opening
      );
    });
    expect(bad).toEqual([]);
    const noLine = playerGames.filter((pg) => pg.line === null).length / playerGames.length;
    expect(noLine).toBeGreaterThan(0.08);
    expect(noLine).toBeLessThan(0.25);
  });

  it('derives the averages from earlier games only (features are known before tip-off)', () => {
    const byPlayer = new Map<string, typeof playerGames>();
    for (const pg of playerGames) byPlayer.set(pg.playerLookup, [...(byPlayer.get(pg.playerLookup) ?? []), pg]);
    const games = [...byPlayer.values()].find((g) => g.filter((x) => !x.actual.dnp).length > 12)!;
    const played = games.filter((g) => !g.actual.dnp);
    // The 11th played game onwards: L10 average = mean of the previous 10 actual points.
    const idx = games.indexOf(played[11]);
    const prev10 = games.slice(0, idx).filter((g) => !g.actual.dnp).slice(-10).map((g) => g.actual.points);
    const expected = Math.round((prev10.reduce((a, b) => a + b, 0) / 10) * 100) / 100;
    expect(games[idx].features[V9_FEATURE_INDEX.points_avg_last_10]).toBe(expected);
  });
});

describe('generateSeason outcomes', () => {
  it('has DNPs (0 points, 0 minutes), pushes, and points that track the features', () => {
    const dnps = playerGames.filter((pg) => pg.actual.dnp);
    expect(dnps.length).toBeGreaterThan(0);
    for (const pg of dnps) expect(pg.actual).toEqual({ points: 0, minutes: 0, dnp: true });
    expect(playerGames.some((pg) => pg.line && !pg.actual.dnp && pg.actual.points === pg.line.line)).toBe(true);

    // The line beats the L10 average (as for real books), and both beat the overall mean.
    const graded = playerGames.filter((pg) => pg.line && !pg.actual.dnp);
    const mae = (pred: (pg: (typeof graded)[number]) => number) =>
      graded.reduce((a, pg) => a + Math.abs(pg.actual.points - pred(pg)), 0) / graded.length;
    const overall = graded.reduce((a, pg) => a + pg.actual.points, 0) / graded.length;
    const maeLine = mae((pg) => pg.line!.line);
    const maeL10 = mae((pg) => pg.features[V9_FEATURE_INDEX.points_avg_last_10]);
    expect(maeLine).toBeLessThan(maeL10);
    expect(maeL10).toBeLessThan(mae(() => overall) * 0.7);
  });
});

describe('row helpers', () => {
  const day = season.days[5];

  it('feature-store rows validate and leave missing features out of both arrays', () => {
    const rows = featureStoreRows(day);
    expect(rows).toHaveLength(day.playerGames.length);
    rows.forEach((row, i) => {
      featureStoreTable.rowSchema.parse(row);
      expect(row.feature_names.length).toBe(row.features.length);
      const missing = day.playerGames[i].features.filter(Number.isNaN).length;
      expect(row.features.length).toBe(33 - missing);
      for (const [j, name] of row.feature_names.entries()) {
        expect(row.features[j]).toBe(day.playerGames[i].features[V9_FEATURE_INDEX[name as V9FeatureName]]);
      }
    });
  });

  it('actuals rows validate against player_game_summary', () => {
    for (const row of actualsRows(day)) playerGameSummaryTable.rowSchema.parse(row);
  });

  it('request payloads carry the §1.3 fields, consistent with the line', () => {
    const payloads = requestPayloads(day);
    payloads.forEach((p, i) => {
      const pg = day.playerGames[i];
      expect(p.player_lookup).toBe(pg.playerLookup);
      expect(p.game_date).toBe(day.date);
      expect(p.game_id).toBe(pg.gameId);
      if (pg.line) {
        expect(p).toMatchObject({ has_prop_line: true, line_source: 'ACTUAL_PROP', actual_prop_line: pg.line.line, line_values: [pg.line.line] });
        expect(p.sportsbook).toBe(pg.line.sportsbook);
      } else {
        expect(p).toMatchObject({ has_prop_line: false, line_source: 'NO_PROP_LINE', actual_prop_line: null, line_values: [null], sportsbook: null });
      }
      expect(p.is_home).toBe(pg.isHome);
    });
    // Survives a JSON round trip unchanged (it goes over Pub/Sub as JSON).
    expect(JSON.parse(JSON.stringify(payloads))).toEqual(payloads);
  });
});

describe('trainingRows', () => {
  it('returns exactly the requested rows, no DNPs, V9 order', () => {
    const set = trainingRows({ seed: 3, rows: 500 });
    expect(set.features).toHaveLength(500);
    expect(set.points).toHaveLength(500);
    expect(set.featureNames).toEqual(V9_FEATURE_NAMES);
    expect(set.features.every((r) => r[V9_FEATURE_INDEX.minutes_avg_last_10] > 0)).toBe(true);
  });

  it('writes a CSV with the 33 names + points and empty cells for NaN', () => {
    const csv = trainingCsv(trainingRows({ seed: 3, rows: 300 }));
    const lines = csv.trimEnd().split('\n');
    expect(lines[0].split(',')).toEqual([...V9_FEATURE_NAMES, 'points']);
    expect(lines).toHaveLength(301);
    const cells = lines.slice(1).map((l) => l.split(','));
    expect(cells.every((c) => c.length === 34)).toBe(true);
    const emptyColumns = new Set(cells.flatMap((c) => c.flatMap((v, i) => (v === '' ? [V9_FEATURE_NAMES[i]] : []))));
    expect(emptyColumns.size).toBeGreaterThan(0);
    for (const name of emptyColumns) expect(NULLABLE_FEATURES.has(name as V9FeatureName)).toBe(true);
  });
});
